package web

import (
	"github.com/labstack/echo/v4"
)

// logout ends the session.
func (s *Server) logout(c echo.Context) error {
	if err := s.signOut(c); err != nil {
		return err
	}
	s.flash(c, "info", "logout.done")
	return redirect(c, "/login")
}
