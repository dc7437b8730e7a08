package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// broadcastNew opens the composer for a saved audience. Instagram has no
// composer: the page says why.
func (s *Server) broadcastNew(c echo.Context) error {
	id, ok := parseID(c.QueryParam("audience"))
	if !ok {
		return echo.ErrNotFound
	}
	a, ch, err := s.audienceChannel(id)
	if err != nil {
		return err
	}
	if ch.Kind == channels.KindInstagram {
		return s.render(c, http.StatusOK, views.InstagramNoComposerPage(s.page(c, "compose.title", "broadcasts"), "/contacts?"+a.Filter))
	}
	st := composerState{ch: ch, in: composerInput{AudienceID: a.ID, SendMode: "now"}}
	if ch.Kind == channels.KindWhatsApp {
		if st.templates, err = models.ListWATemplates(s.db, ch.ID); err != nil {
			return err
		}
	} else {
		// One empty text to start with, as the reference product does.
		st.in.Messages = []views.ComposerMessage{{Type: models.MessageText}}
	}
	return s.renderComposer(c, http.StatusOK, st)
}
