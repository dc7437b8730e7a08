package web

import (
	"context"
	"net/http"

	"omnicast/channels"
	"omnicast/channels/messenger"
	"omnicast/models"
)

type messengerPlatform struct{ c *messenger.Client }

func newMessengerPlatform(hc *http.Client, ch *models.Channel, s models.ChannelSecrets) platform {
	return messengerPlatform{c: messenger.New(messenger.Config{
		BaseURL: ch.APIBaseURL, PageID: ch.ExternalID, PageAccessToken: s.AccessToken, HTTPClient: hc,
	})}
}

func (p messengerPlatform) TestConnection(ctx context.Context) (string, error) {
	page, err := p.c.Me(ctx)
	if err != nil {
		return "", err
	}
	return page.Name, nil
}

func (p messengerPlatform) Profile(ctx context.Context, psid string) (channels.Profile, error) {
	return p.c.Profile(ctx, psid)
}
