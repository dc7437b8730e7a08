package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is THE route table: every path omnicast answers, grouped by who
// may call it. Middleware is applied here once, per group.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.observe, middleware.Recover(), securityHeaders())

	// Operations: no session, no CSRF, no first-run redirect.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static", s.assets)))

	// Pages: session, language, first-run check, CSRF on every non-GET.
	pages := e.Group("", middleware.BodyLimit("2M"), s.loadUser, s.localize, s.csrf(), s.firstRun)
	pages.GET("/setup", s.setupShow).Name = "setup"
	pages.POST("/setup", s.setupCreate)
	pages.GET("/login", s.loginShow).Name = "login"
	pages.POST("/login", s.loginCreate)
	pages.POST("/logout", s.logout)
	pages.GET("/lang/:lang", s.languageSwitch)

	// Everyone signed in.
	app := pages.Group("", s.requireUser)
	app.GET("/", s.home)
	app.GET("/contacts", s.areaPage("nav.contacts", "contacts.intro", "contacts")).Name = "contacts"
	app.GET("/broadcasts", s.areaPage("nav.broadcasts", "broadcasts.intro", "broadcasts")).Name = "broadcasts"
	app.GET("/bots", s.areaPage("nav.bots", "bots.intro", "bots")).Name = "bots"
	app.POST("/account/locale", s.accountLocaleUpdate)

	// Admins only.
	admin := app.Group("", s.requireAdmin)
	admin.GET("/channels", s.areaPage("nav.channels", "channels.intro", "channels")).Name = "channels"
	admin.GET("/users", s.userList).Name = "users"
	admin.POST("/users", s.userCreate)
	admin.POST("/users/:id/role", s.userRoleUpdate)
	admin.POST("/users/:id/active", s.userActiveUpdate)
	admin.GET("/settings", s.settingsShow).Name = "settings"
	admin.POST("/settings", s.settingsUpdate)

	// Any other path: a 404 page with session and language.
	pages.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })
}
