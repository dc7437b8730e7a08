package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"gorm.io/gorm"

	"omnicast/channels/connect"
	"omnicast/models"
)

// SenderFactory builds the sending client of a channel.
type SenderFactory func(ctx context.Context, db *gorm.DB, ch *models.Channel) (Sender, error)

// sendTimeout bounds one platform request.
const sendTimeout = 30 * time.Second

// channelSenders builds senders with channels/connect, over one shared
// HTTP client so connections are reused across a broadcast.
func channelSenders(sealer *models.Sealer) SenderFactory {
	return channelSendersWith(sealer, &http.Client{Timeout: sendTimeout, Transport: sendTransport()})
}

// sendTransport is the default transport (proxy from the environment,
// dial and TLS timeouts, HTTP/2) keeping enough idle connections per
// platform host for every request a channel's workers have in flight.
func sendTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 256
	return t
}

func channelSendersWith(sealer *models.Sealer, hc *http.Client) SenderFactory {
	return func(ctx context.Context, db *gorm.DB, ch *models.Channel) (Sender, error) {
		if sealer == nil {
			return nil, errors.New("jobs: no credentials sealer")
		}
		cc, err := ch.Connect(sealer, db)
		if err != nil {
			return nil, err
		}
		clients, err := connect.Client(cc, hc)
		if err != nil {
			return nil, err
		}
		if clients.Sender == nil {
			return nil, fmt.Errorf("jobs: channel %d of kind %s cannot broadcast", ch.ID, ch.Kind)
		}
		if clients.Multicaster != nil {
			return multiSender{clients.Sender, clients.Multicaster}, nil
		}
		return clients.Sender, nil
	}
}

// multiSender is a Sender that also multicasts (LINE).
type multiSender struct {
	Sender
	Multicaster
}
