package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// confirmPreview is the content the confirmation shows beside its
// numbers: the same bubbles the composer's preview drew (texts with the
// sample name, images, bot cards, the filled WhatsApp template), so staff
// see what they confirm, not only how many get it.
func (s *Server) confirmPreview(c echo.Context, b *models.Broadcast, ch *models.Channel, d models.Draft, checked models.Checked) (views.Preview, error) {
	in, err := inputFromBroadcast(b, s.Workspace().Location())
	if err != nil {
		return views.Preview{}, fmt.Errorf("web: confirmation preview of broadcast %d: %w", b.ID, err)
	}
	st := composerState{ch: ch, b: b, in: in, checked: &checked}
	if ch.Kind == channels.KindWhatsApp {
		if st.templates, err = models.ListWATemplates(s.db, ch.ID); err != nil {
			return views.Preview{}, fmt.Errorf("web: confirmation preview templates: %w", err)
		}
	}
	v, err := s.composerView(c, st)
	if err != nil {
		return views.Preview{}, fmt.Errorf("web: confirmation preview of broadcast %d: %w", b.ID, err)
	}
	return v.Preview, nil
}
