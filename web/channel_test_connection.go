package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/views"
)

// testConnectionTimeout bounds "Test connection" so the button never hangs.
const testConnectionTimeout = 10 * time.Second

// channelTest calls the platform with the stored credentials and shows
// what it answered (an htmx fragment).
func (s *Server) channelTest(c echo.Context) error {
	ch, err := s.loadChannel(c)
	if err != nil {
		return err
	}
	result := views.ChannelTestResult{}
	secrets, err := ch.Secrets(s.sealer)
	if err != nil {
		result.Error = t(c, "error.channel_credentials")
		return s.render(c, http.StatusOK, views.ChannelTestResultFragment(result))
	}
	p, err := s.platforms.For(ch, secrets)
	if err == nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), testConnectionTimeout)
		defer cancel()
		result.Account, err = p.Tester.TestConnection(ctx)
	}
	if err != nil {
		result.Error = err.Error()
		s.log.Info("channel test failed", "channel", ch.ID, "err", err)
	} else {
		result.OK = true
	}
	return s.render(c, http.StatusOK, views.ChannelTestResultFragment(result))
}
