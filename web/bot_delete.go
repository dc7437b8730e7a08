package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// botDelete deletes a module, unless a broadcast still to be sent uses it.
func (s *Server) botDelete(c echo.Context) error {
	m, err := s.loadBotModule(c)
	if err != nil {
		return err
	}
	err = models.DeleteBotModule(s.db, m.ID)
	switch {
	case errors.Is(err, models.ErrModuleInUse):
		s.flash(c, "error", models.ErrModuleInUse.Error())
	case errors.Is(err, models.ErrNotFound):
		return echo.ErrNotFound
	case err != nil:
		return err
	default:
		s.flash(c, "success", "bots.deleted")
	}
	return redirect(c, "/bots")
}
