package web

import (
	"context"
	"net/http"

	"omnicast/channels"
	"omnicast/channels/line"
	"omnicast/models"
)

type linePlatform struct{ c *line.Client }

func newLINEPlatform(hc *http.Client, ch *models.Channel, s models.ChannelSecrets) platform {
	return linePlatform{c: line.New(line.Config{BaseURL: ch.APIBaseURL, ChannelAccessToken: s.AccessToken, HTTPClient: hc})}
}

func (p linePlatform) TestConnection(ctx context.Context) (string, error) {
	info, err := p.c.BotInfo(ctx)
	if err != nil {
		return "", err
	}
	if info.BasicID != "" {
		return info.DisplayName + " (" + info.BasicID + ")", nil
	}
	return info.DisplayName, nil
}

func (p linePlatform) Profile(ctx context.Context, userID string) (channels.Profile, error) {
	return p.c.Profile(ctx, userID)
}
