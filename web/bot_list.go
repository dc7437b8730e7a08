package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// botList shows the bot builder: every module with its fit per channel.
func (s *Server) botList(c echo.Context) error {
	list, err := models.ListBotModules(s.db)
	if err != nil {
		return err
	}
	loc := s.Workspace().Location()
	data := views.BotsPageData{CSS: s.assets.URL("css/bots.css")}
	for _, m := range list {
		card, err := m.Card(s.moduleImage)
		if err != nil {
			return err
		}
		data.Modules = append(data.Modules, views.BotRow{
			ID: m.ID, Name: m.Name, Kind: m.Kind, Updated: m.UpdatedAt.In(loc).Format("2006-01-02 15:04"),
			Fits: botFits(card),
		})
	}
	return s.render(c, http.StatusOK, views.BotsPage(s.page(c, "nav.bots", "bots"), data))
}
