package web

import (
	"github.com/labstack/echo/v4"
)

// botUpdate saves an edited module; its kind never changes.
func (s *Server) botUpdate(c echo.Context) error {
	m, err := s.loadBotModule(c)
	if err != nil {
		return err
	}
	if c.FormValue("kind") != m.Kind {
		return echo.ErrBadRequest
	}
	return s.botSave(c, m.ID)
}
