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
	// Uploaded images: no session, as the platforms fetch them.
	e.GET("/media/:name", s.mediaShow)
	e.HEAD("/media/:name", s.mediaShow)

	// Webhooks: no session and no CSRF; every request is checked by its
	// platform signature instead.
	hooks := e.Group("/webhooks")
	for _, kind := range []string{channels.KindMessenger, channels.KindInstagram, channels.KindWhatsApp} {
		hooks.GET("/"+kind+"/:id", s.webhookVerify(kind))
		hooks.POST("/"+kind+"/:id", s.webhookReceive(kind))
	}
	hooks.POST("/"+channels.KindLINE+"/:id", s.webhookReceive(channels.KindLINE))

	// The JSON API: bearer token, language from Accept-Language, JSON
	// answers only; no session and so no CSRF. Its routes are in
	// apiRoutes. Any other path under /api/ is a JSON 404.
	api := e.Group("/api/v1", bodyLimits(), s.cleanForm, s.apiLocalize, s.apiAuth)
	s.apiRoutes(api)
	api.RouteNotFound("/*", s.apiNoRoute)
	e.RouteNotFound("/api/*", s.apiNoRoute)

	// Pages: session, language, first-run check, CSRF on every non-GET.
	// Bodies are limited to 2 MB, except the routes that take files and
	// images (bodyLimitFor), before anything reads them; cleanForm then
	// parses and cleans every form once.
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
	app.POST("/uploads", s.uploadCreate)
	app.GET("/broadcasts/new", s.broadcastNew).Name = "broadcast-new"
	app.POST("/broadcasts", s.broadcastCreate)
	app.POST("/broadcasts/compose", s.broadcastCompose)
	app.GET("/broadcasts/:id/edit", s.broadcastEdit)
	app.POST("/broadcasts/:id", s.broadcastUpdate)
	app.GET("/broadcasts/:id/confirm", s.broadcastConfirmShow)
	app.POST("/broadcasts/:id/confirm", s.broadcastConfirm)
	app.GET("/broadcasts/:id/progress", s.broadcastProgress)
	app.POST("/broadcasts/:id/pause", s.broadcastControl("pause"))
	app.POST("/broadcasts/:id/resume", s.broadcastControl("resume"))
	app.POST("/broadcasts/:id/cancel", s.broadcastControl("cancel"))
	app.GET("/tags", s.tagList).Name = "tags"
	app.POST("/tags", s.tagCreate)
	app.POST("/tags/:id/rename", s.tagRename)
	app.POST("/tags/:id/delete", s.tagDelete)
	app.GET("/broadcasts", s.reportList).Name = "broadcasts"
	app.GET("/broadcasts.csv", s.reportExport)
	app.GET("/broadcasts/:id/row", s.reportRowShow)
	app.GET("/broadcasts/:id", s.broadcastShow)
	app.GET("/broadcasts/:id/figures", s.broadcastFiguresShow)
	app.GET("/broadcasts/:id/recipients.csv", s.broadcastRecipientsExport)
	app.POST("/broadcasts/:id/retry-failed", s.broadcastRetry("retry-failed"))
	app.POST("/broadcasts/:id/resend-uncertain", s.broadcastRetry("resend-uncertain"))
	app.POST("/broadcasts/:id/cohort", s.broadcastCohort)
	app.POST("/broadcasts/:id/send-again", s.broadcastSendAgain)
	app.POST("/broadcasts/:id/duplicate", s.broadcastDuplicate)
	app.GET("/bots", s.botList).Name = "bots"
	app.GET("/bots/new", s.botNew)
	app.POST("/bots", s.botCreate)
	app.POST("/bots/preview", s.botPreviewShow)
	app.GET("/bots/:id/edit", s.botEdit)
	app.POST("/bots/:id", s.botUpdate)
	app.POST("/bots/:id/duplicate", s.botDuplicate)
	app.POST("/bots/:id/delete", s.botDelete)
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
	admin.GET("/settings/tokens", s.tokenList).Name = "tokens"
	admin.POST("/settings/tokens", s.tokenCreate)
	admin.POST("/settings/tokens/:id/revoke", s.tokenRevoke)

	// Any other path, whatever the method: a 404 page with session and
	// language (CSRF skips it: there is nothing to protect).
	pages.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })
}

// bodyLimitFor is the body limit of a route: importMaxSize for the CSV
// import, uploadBodyLimit for images, 2 MB for everything else.
func bodyLimitFor(c echo.Context) string {
	if c.Request().Method != http.MethodPost {
		return "2M"
	}
	switch c.Path() {
	case "/contacts/import":
		return importMaxSize
	case "/uploads", "/api/v1/uploads":
		return uploadBodyLimit
	}
	return "2M"
}

// bodyLimits limits every page and API body, by route (bodyLimitFor). It
// runs first in its group, so no middleware (cleanForm parses every form)
// reads a body past its limit. (A route's own middleware runs after the
// group's, too late for that.)
func bodyLimits() echo.MiddlewareFunc {
	limits := map[string]echo.MiddlewareFunc{}
	for _, l := range []string{"2M", importMaxSize, uploadBodyLimit} {
		limits[l] = middleware.BodyLimit(l)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		wrapped := map[string]echo.HandlerFunc{}
		for l, m := range limits {
			wrapped[l] = m(next)
		}
		return func(c echo.Context) error {
			return wrapped[bodyLimitFor(c)](c)
		}
	}
}
