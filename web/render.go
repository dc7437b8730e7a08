package web

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"omnicast/views/i18n"
	"omnicast/views/layout"
)

// render writes a templ component with a status. It renders into a buffer
// first, so a failing template becomes a clean 500, not half a page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return fmt.Errorf("web: render %s: %w", c.Path(), err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// page builds the shell's view model for the current request.
func (s *Server) page(c echo.Context, titleID, nav string) layout.Page {
	p := layout.Page{
		Title: i18n.T(c.Request().Context(), titleID),
		Nav:   nav,
		Lang:  i18n.Lang(c.Request().Context()),
		CSRF:  csrfToken(c),
		Path:  c.Request().URL.Path,
		Assets: layout.Assets{
			CSS:  s.assets.URL("css/app.css"),
			HTMX: s.assets.URL("js/htmx.min.js"),
			App:  s.assets.URL("js/app.js"),
			Logo: s.assets.URL("img/logo.svg"),
		},
		Flashes: s.popFlashes(c),
	}
	if running, done, total, failed := s.demo.snapshot(); running || failed {
		p.Demo = &layout.DemoStatus{Running: running, Done: done, Total: total, Failed: failed}
	}
	if u := currentUser(c); u != nil {
		p.User = &layout.User{Name: u.Name, Email: u.Email, Admin: u.IsAdmin(), Locale: u.Locale}
	}
	return p
}

// isHTMX tells whether htmx issued the request (it wants a fragment).
func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

// redirect sends the browser elsewhere after a successful action: 303 for
// plain forms, HX-Redirect for htmx.
func redirect(c echo.Context, to string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// t translates with the request's localizer.
func t(c echo.Context, id string, args ...any) string {
	return i18n.T(c.Request().Context(), id, args...)
}
