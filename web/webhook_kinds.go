package web

import (
	"net/http"

	"omnicast/channels"
	"omnicast/channels/instagram"
	"omnicast/channels/line"
	"omnicast/channels/messenger"
	"omnicast/channels/meta"
	"omnicast/channels/whatsapp"
)

// webhookKind checks and reads one platform's webhooks.
type webhookKind struct {
	verify func(secret string, body []byte, h http.Header) error
	parse  func(body []byte) ([]channels.Event, error)
}

// webhookKinds maps each channel kind to its platform's webhook scheme.
func webhookKinds() map[string]webhookKind {
	metaVerify := func(verify func(string, []byte, string) error) func(string, []byte, http.Header) error {
		return func(secret string, body []byte, h http.Header) error {
			return verify(secret, body, h.Get(meta.SignatureHeader))
		}
	}
	return map[string]webhookKind{
		channels.KindMessenger: {verify: metaVerify(messenger.VerifySignature), parse: messenger.ParseWebhook},
		channels.KindInstagram: {verify: metaVerify(instagram.VerifySignature), parse: instagram.ParseWebhook},
		channels.KindWhatsApp:  {verify: metaVerify(whatsapp.VerifySignature), parse: whatsapp.ParseWebhook},
		channels.KindLINE: {
			verify: func(secret string, body []byte, h http.Header) error {
				return line.VerifySignature(secret, body, h.Get(line.SignatureHeader))
			},
			parse: func(body []byte) ([]channels.Event, error) {
				_, events, err := line.ParseWebhook(body)
				return events, err
			},
		},
	}
}
