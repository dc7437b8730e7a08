package web

import (
	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// botDuplicate copies a module under "<name> (copy)" in the user's language.
func (s *Server) botDuplicate(c echo.Context) error {
	m, err := s.loadBotModule(c)
	if err != nil {
		return err
	}
	if _, err := models.DuplicateBotModule(s.db, m.ID, t(c, "bots.copy_name", "Name", m.Name), actorOf(c), s.now()); err != nil {
		return err
	}
	s.flash(c, "success", "bots.duplicated")
	return redirect(c, "/bots")
}
