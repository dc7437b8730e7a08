package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/views"
)

// channelEdit shows the edit form; secrets are never rendered back, only
// their last four characters.
func (s *Server) channelEdit(c echo.Context) error {
	ch, err := s.loadChannel(c)
	if err != nil {
		return err
	}
	form := views.ChannelForm{
		ID: ch.ID, Kind: ch.Kind, Name: ch.Name, ExternalID: ch.ExternalID, WABAID: ch.WABAID,
		VerifyToken: ch.VerifyToken, APIBaseURL: ch.APIBaseURL, Rate: strconv.FormatFloat(ch.RateLimit, 'f', -1, 64),
		TokenHint: ch.TokenHint, SecretHint: ch.SecretHint,
	}
	return s.renderChannelForm(c, http.StatusOK, form)
}
