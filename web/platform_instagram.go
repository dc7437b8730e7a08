package web

import (
	"context"
	"net/http"

	"omnicast/channels"
	"omnicast/channels/instagram"
	"omnicast/models"
)

type instagramPlatform struct{ c *instagram.Client }

func newInstagramPlatform(hc *http.Client, ch *models.Channel, s models.ChannelSecrets) platform {
	return instagramPlatform{c: instagram.New(instagram.Config{BaseURL: ch.APIBaseURL, AccessToken: s.AccessToken, HTTPClient: hc})}
}

func (p instagramPlatform) TestConnection(ctx context.Context) (string, error) {
	a, err := p.c.Me(ctx)
	if err != nil {
		return "", err
	}
	if a.Name != "" {
		return a.Name, nil
	}
	return a.Username, nil
}

func (p instagramPlatform) Profile(ctx context.Context, igsid string) (channels.Profile, error) {
	return p.c.Profile(ctx, igsid)
}
