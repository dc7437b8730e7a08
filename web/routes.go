package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"omnicast/channels"
)

// routes is THE route table: every path omnicast answers, grouped by who
// may call it. Middleware is applied here once, per group.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.observe, middleware.Recover(), securityHeaders(), s.strictTransportSecurity)

	// Operations: no session, no CSRF, no first-run redirect.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler(), s.metricsAccess)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static", s.assets)))

	// Webhooks: no session and no CSRF; every request is checked by its
	// platform signature instead.
	hooks := e.Group("/webhooks")
	for _, kind := range []string{channels.KindMessenger, channels.KindInstagram, channels.KindWhatsApp} {
		hooks.GET("/"+kind+"/:id", s.webhookVerify(kind))
		hooks.POST("/"+kind+"/:id", s.webhookReceive(kind))
	}
	hooks.POST("/"+channels.KindLINE+"/:id", s.webhookReceive(channels.KindLINE))

	// Pages: session, language, first-run check, CSRF on every non-GET.
	// Bodies are limited to 2 MB, except the routes that take files
	// (largeUpload), before anything reads them; cleanForm then parses and
	// cleans every form once.
	pages := e.Group("", bodyLimits(), s.cleanForm, s.loadUser, s.localize, s.csrf(), s.firstRun)
	pages.GET("/setup", s.setupShow).Name = "setup"
	pages.POST("/setup", s.setupCreate)
	pages.GET("/login", s.loginShow).Name = "login"
	pages.POST("/login", s.loginCreate)
	pages.POST("/logout", s.logout)
	pages.GET("/lang/:lang", s.languageSwitch)

	// Everyone signed in.
	app := pages.Group("", s.requireUser)
	app.GET("/", s.home)
	app.GET("/contacts", s.contactList).Name = "contacts"
	app.GET("/contacts/count", s.contactCount)
	app.POST("/contacts/tags", s.contactTagsBulk)
	app.POST("/contacts/:id/tags", s.contactTagsSet)
	app.POST("/contacts/:id/subscription", s.contactSubscriptionUpdate)
	app.POST("/contacts/:id/delete", s.contactDelete)
	app.POST("/contacts/:id/tester", s.contactTesterSet)
	app.POST("/audiences", s.audienceCreate)
	app.GET("/broadcasts/new", s.broadcastNew)
	app.GET("/tags", s.tagList).Name = "tags"
	app.POST("/tags", s.tagCreate)
	app.POST("/tags/:id/rename", s.tagRename)
	app.POST("/tags/:id/delete", s.tagDelete)
	app.GET("/broadcasts", s.areaPage("nav.broadcasts", "broadcasts.intro", "broadcasts")).Name = "broadcasts"
	app.GET("/bots", s.areaPage("nav.bots", "bots.intro", "bots")).Name = "bots"
	app.POST("/account/locale", s.accountLocaleUpdate)
	app.GET("/contacts/import", s.contactImportShow).Name = "contacts-import"
	app.POST("/contacts/import", s.contactImportCreate)
	app.GET("/contacts/import/template.csv", s.contactImportTemplate)
	app.GET("/contacts/import/:id", s.contactImportStatus)
	app.POST("/contacts/import/:id/start", s.contactImportStart)
	app.POST("/contacts/import/:id/cancel", s.contactImportCancel)
	app.POST("/contacts/import/:id/undo", s.contactImportUndo)
	app.GET("/contacts/export", s.contactExport).Name = "contacts-export"
	app.GET("/demo/progress", s.demoProgressShow)
	// An account's page (tag lock, test list): everyone reads it; only
	// admins lift the lock (below).
	app.GET("/channels/:id", s.channelShow)

	// Admins only.
	admin := app.Group("", s.requireAdmin)
	admin.GET("/channels", s.channelList).Name = "channels"
	admin.GET("/channels/new", s.channelNew)
	admin.POST("/channels", s.channelCreate)
	admin.GET("/channels/:id/edit", s.channelEdit)
	admin.POST("/channels/:id", s.channelUpdate)
	admin.POST("/channels/:id/delete", s.channelDelete)
	admin.POST("/channels/:id/test", s.channelTest)
	admin.POST("/channels/:id/templates/sync", s.channelTemplatesSync)
	admin.POST("/channels/:id/tag-unlock", s.channelTagUnlock)
	admin.GET("/users", s.userList).Name = "users"
	admin.POST("/users", s.userCreate)
	admin.POST("/users/:id/role", s.userRoleUpdate)
	admin.POST("/users/:id/active", s.userActiveUpdate)
	admin.GET("/settings", s.settingsShow).Name = "settings"
	admin.POST("/settings", s.settingsUpdate)

	// Any other path, whatever the method: a 404 page with session and
	// language (CSRF skips it: there is nothing to protect).
	pages.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })
}

// largeUpload names the routes whose body may exceed the pages' limit:
// they carry files.
func largeUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && c.Path() == "/contacts/import"
}

// bodyLimits limits every page body, by route: 2 MB, or importMaxSize for
// the upload routes. It runs first in the pages group, so no middleware
// (cleanForm parses every form) reads a body past its limit. (A route's
// own middleware runs after the group's, too late for that.)
func bodyLimits() echo.MiddlewareFunc {
	small, large := middleware.BodyLimit("2M"), middleware.BodyLimit(importMaxSize)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		toSmall, toLarge := small(next), large(next)
		return func(c echo.Context) error {
			if largeUpload(c) {
				return toLarge(c)
			}
			return toSmall(c)
		}
	}
}
