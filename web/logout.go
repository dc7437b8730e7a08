package web

import (
	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// logout ends the session — and every other session of the same user, on
// any device or in any copy of the cookie, by moving their session epoch on.
func (s *Server) logout(c echo.Context) error {
	if u := currentUser(c); u != nil {
		if err := models.EndUserSessions(s.db, u.ID); err != nil {
			return err
		}
	}
	if err := s.signOut(c); err != nil {
		return err
	}
	s.flash(c, "info", "logout.done")
	return redirect(c, "/login")
}
