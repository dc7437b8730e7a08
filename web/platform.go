package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"omnicast/channels"
	"omnicast/models"
)

// platform is what the web layer asks of a connected account's API.
type platform interface {
	// TestConnection calls the platform and returns its name for the account.
	TestConnection(ctx context.Context) (string, error)
	// Profile fetches a person's name and picture.
	Profile(ctx context.Context, userID string) (channels.Profile, error)
}

// platforms builds API clients for channels.
type platforms struct {
	http *http.Client
}

func newPlatforms() platforms {
	return platforms{http: &http.Client{Timeout: 15 * time.Second}}
}

// For returns the client of a channel's platform.
func (p platforms) For(ch *models.Channel, s models.ChannelSecrets) (platform, error) {
	switch ch.Kind {
	case channels.KindLINE:
		return newLINEPlatform(p.http, ch, s), nil
	case channels.KindMessenger:
		return newMessengerPlatform(p.http, ch, s), nil
	case channels.KindInstagram:
		return newInstagramPlatform(p.http, ch, s), nil
	case channels.KindWhatsApp:
		return newWhatsAppPlatform(p.http, ch, s), nil
	}
	return nil, fmt.Errorf("web: no client for channel kind %q", ch.Kind)
}
