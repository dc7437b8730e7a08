package web

import (
	"net/http"
	"time"

	"omnicast/channels/connect"
	"omnicast/models"
)

// platforms builds API clients for channels, through channels/connect (the
// one place web and jobs share), over one HTTP client so connections are
// reused.
type platforms struct {
	http *http.Client
}

func newPlatforms() platforms {
	return platforms{http: &http.Client{Timeout: 15 * time.Second}}
}

// For returns the clients of a channel's platform.
func (p platforms) For(ch *models.Channel, s models.ChannelSecrets) (connect.Clients, error) {
	return connect.Client(ch.ConnectWith(s, nil), p.http)
}
