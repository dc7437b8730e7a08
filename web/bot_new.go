package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// botNew shows an empty editor for the kind asked (?kind=…).
func (s *Server) botNew(c echo.Context) error {
	kind := c.QueryParam("kind")
	if !isBotKind(kind) {
		kind = channels.CardButton
	}
	f, err := s.botForm(c, 0, models.BotModuleInput{Kind: kind}, nil, false)
	if err != nil {
		return err
	}
	return s.renderBotForm(c, http.StatusOK, f)
}

func (s *Server) renderBotForm(c echo.Context, status int, f views.BotForm) error {
	return s.render(c, status, views.BotFormPage(s.page(c, "nav.bots", "bots"), f))
}
