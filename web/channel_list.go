package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// channelList shows the connected accounts with their webhook URLs.
func (s *Server) channelList(c echo.Context) error {
	list, err := models.ListChannels(s.db)
	if err != nil {
		return err
	}
	base := s.publicBase(c)
	// The notice is about the webhook URLs shown, so only with channels.
	data := views.ChannelsPageData{PublicURLMissing: s.Workspace().PublicURL == "" && len(list) > 0}
	for _, ch := range list {
		card := views.ChannelCard{
			ID: ch.ID, Kind: ch.Kind, Name: ch.Name, ExternalID: ch.ExternalID, WABAID: ch.WABAID,
			WebhookURL: base + webhookPath(&ch), VerifyToken: ch.VerifyToken,
			TokenHint: ch.TokenHint, SecretHint: ch.SecretHint,
			RateLimit: strconv.FormatFloat(ch.RateLimit, 'f', -1, 64), APIBaseURL: ch.BaseURL(),
			Official:  ch.APIBaseURL == "" || ch.APIBaseURL == models.DefaultAPIBaseURL(ch.Kind),
			TagLocked: ch.TagBroadcastLocked,
		}
		if ch.Kind == channels.KindWhatsApp {
			tpls, err := models.ListWATemplates(s.db, ch.ID)
			if err != nil {
				return err
			}
			card.Templates = len(tpls)
			for _, t := range tpls {
				if t.Approved() {
					card.ApprovedTemplates++
				}
			}
		}
		data.Channels = append(data.Channels, card)
	}
	return s.render(c, http.StatusOK, views.ChannelsPage(s.page(c, "nav.channels", "channels"), data))
}

// publicBase is the address platforms reach us at: the configured public
// URL, else the one this request came to.
func (s *Server) publicBase(c echo.Context) string {
	if u := s.Workspace().PublicURL; u != "" {
		return u
	}
	return c.Scheme() + "://" + c.Request().Host
}

// webhookPath is where a channel's platform posts its events.
func webhookPath(ch *models.Channel) string {
	return "/webhooks/" + ch.Kind + "/" + strconv.FormatUint(uint64(ch.ID), 10)
}
