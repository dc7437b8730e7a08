package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// botEdit shows the editor of a stored module.
func (s *Server) botEdit(c echo.Context) error {
	m, err := s.loadBotModule(c)
	if err != nil {
		return err
	}
	in, err := m.Input()
	if err != nil {
		return err
	}
	f, err := s.botForm(c, m.ID, in, nil, false)
	if err != nil {
		return err
	}
	return s.renderBotForm(c, http.StatusOK, f)
}
