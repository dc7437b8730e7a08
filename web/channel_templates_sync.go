package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/jobs"
)

// channelTemplatesSync refreshes a WhatsApp channel's message templates.
func (s *Server) channelTemplatesSync(c echo.Context) error {
	ch, err := s.loadChannel(c)
	if err != nil {
		return err
	}
	if ch.Kind != channels.KindWhatsApp {
		return echo.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), testConnectionTimeout)
	defer cancel()
	if _, err := jobs.SyncWATemplates(ctx, s.db, s.sealer, ch, s.now()); err != nil {
		s.log.Warn("template sync failed", "channel", ch.ID, "err", err)
		s.flash(c, "error", "channel.sync_failed")
	} else {
		s.flash(c, "success", "channel.synced")
	}
	return redirect(c, "/channels")
}
