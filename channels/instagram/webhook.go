package instagram

import (
	"time"

	"omnicast/channels"
	"omnicast/channels/messenger"
)

// ObjectInstagram is the webhook "object" of Instagram notifications.
const ObjectInstagram = "instagram"

// VerifySignature checks the X-Hub-Signature-256 header against the raw
// body; Instagram uses the same scheme as Messenger.
func VerifySignature(appSecret string, body []byte, header string) error {
	return messenger.VerifySignature(appSecret, body, header)
}

// ParseWebhook reduces an Instagram messaging webhook body to events.
// Messages and postbacks have Messenger's shape; read receipts (the
// messaging_seen field) name the message read. Only malformed JSON is an
// error; other objects, echoes and unknown events yield nothing.
func ParseWebhook(body []byte) ([]channels.Event, error) {
	return messenger.ParseEnvelope(body, ObjectInstagram, item.event)
}

// item is a messaging item: Messenger's, plus the key some messaging_seen
// payloads use instead of "read". Meta's reference shows "read"; accepting
// both costs nothing and survives either wording.
type item struct {
	messenger.Messaging
	Seen *messenger.Read `json:"messaging_seen"`
}

func (it item) event(entryTime time.Time) (channels.Event, bool) {
	m := it.Messaging
	if m.Read == nil {
		m.Read = it.Seen
	}
	return m.Event(entryTime)
}
