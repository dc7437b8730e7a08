package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// apiBotModuleCreate is POST /api/v1/bot-modules: the module's fields
// (name, kind, text, buttons, cards, options), validated as the bot
// builder does; 201 with the module, its fit per channel and the reasons.
func (s *Server) apiBotModuleCreate(c echo.Context) error {
	var in models.BotModuleInput
	if err := apiBind(c, &in); err != nil {
		return err
	}
	m, err := models.SaveBotModule(s.db, 0, in, apiActor(c), s.now())
	if fe, ok := apiModelErrors(err); ok {
		return apiFieldErrors(c, fe)
	}
	if err != nil {
		return err
	}
	out, err := s.botModuleJSON(c, m)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

// apiBotModuleList is GET /api/v1/bot-modules: every module, last changed
// first, each with its fit per channel (a workspace holds tens of them).
func (s *Server) apiBotModuleList(c echo.Context) error {
	list, err := models.ListBotModules(s.db)
	if err != nil {
		return err
	}
	out := make([]apiBotModule, 0, len(list))
	for i := range list {
		m, err := s.botModuleJSON(c, &list[i])
		if err != nil {
			return err
		}
		out = append(out, m)
	}
	return c.JSON(http.StatusOK, map[string]any{"bot_modules": out})
}

// apiBotModuleShow is GET /api/v1/bot-modules/:id.
func (s *Server) apiBotModuleShow(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return apiError(c, http.StatusNotFound, "not_found", "id", "error.not_found", nil)
	}
	m, err := models.FindBotModule(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return apiError(c, http.StatusNotFound, "not_found", "id", "error.not_found", nil)
	}
	if err != nil {
		return err
	}
	out, err := s.botModuleJSON(c, m)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
