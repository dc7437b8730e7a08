package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// broadcastNew is where the composer will live; until then it shows the
// saved audience: channel, conditions in words, count.
func (s *Server) broadcastNew(c echo.Context) error {
	id, ok := parseID(c.QueryParam("audience"))
	if !ok {
		return echo.ErrNotFound
	}
	a, err := models.FindAudience(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	ch, err := models.FindChannel(s.db, a.ChannelID)
	if err != nil {
		return echo.ErrNotFound
	}
	// Read in the zone it was saved in: "2026-11-01" means that day there.
	f, _ := a.ContactFilter(s.Workspace().Location())
	loc := f.Location()
	page := views.AudiencePage{
		ID: a.ID, ChannelName: ch.Name, Kind: ch.Kind, AllMatching: a.AllMatching, Count: a.Count,
		BackHref: "/contacts?" + a.Filter,
	}
	if a.AllMatching {
		page.Conditions = describeFilter(c, f, loc)
	}
	return s.render(c, http.StatusOK, views.AudienceShowPage(s.page(c, "audience.title", "broadcasts"), page))
}
