package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/views"
)

// setupShow shows the first-run form (only while no user exists).
func (s *Server) setupShow(c echo.Context) error {
	return s.render(c, http.StatusOK, views.SetupPage(s.page(c, "setup.title", ""), views.SetupForm{DemoAvailable: s.startDemo != nil}))
}
