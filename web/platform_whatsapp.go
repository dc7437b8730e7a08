package web

import (
	"context"
	"errors"
	"net/http"

	"omnicast/channels"
	"omnicast/channels/whatsapp"
	"omnicast/models"
)

type whatsAppPlatform struct{ c *whatsapp.Client }

func newWhatsAppPlatform(hc *http.Client, ch *models.Channel, s models.ChannelSecrets) platform {
	return whatsAppPlatform{c: whatsapp.New(whatsapp.Config{
		BaseURL: ch.APIBaseURL, PhoneNumberID: ch.ExternalID, WABAID: ch.WABAID, AccessToken: s.AccessToken, HTTPClient: hc,
	})}
}

func (p whatsAppPlatform) TestConnection(ctx context.Context) (string, error) {
	info, err := p.c.PhoneNumber(ctx)
	if err != nil {
		return "", err
	}
	return info.VerifiedName + " " + info.DisplayPhoneNumber, nil
}

// errNoWhatsAppProfile: the Cloud API has no profile look-up; names arrive
// with each inbound message instead.
var errNoWhatsAppProfile = errors.New("whatsapp: no profile API; names come with messages")

func (p whatsAppPlatform) Profile(context.Context, string) (channels.Profile, error) {
	return channels.Profile{}, errNoWhatsAppProfile
}
