package web

import (
	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// channelDelete disconnects an account and removes its contacts.
func (s *Server) channelDelete(c echo.Context) error {
	ch, err := s.loadChannel(c)
	if err != nil {
		return err
	}
	if err := models.DeleteChannel(s.db, ch.ID); err != nil {
		return err
	}
	s.log.Info("channel removed", "channel", ch.ID, "kind", ch.Kind)
	s.flash(c, "success", "channel.removed")
	return redirect(c, "/channels")
}
