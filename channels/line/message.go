package line

import (
	"encoding/json"
	"fmt"
)

// Message is one speech bubble of a push or multicast. The implementations
// are TextMessage, ImageMessage and TemplateMessage (buttons or carousel);
// build them with NewText, NewImage, NewButtons and NewCarousel, which
// validate against LINE's limits, and attach quick replies with
// WithQuickReply.
type Message interface {
	json.Marshaler
	// Validate reports what LINE would refuse in the message, as a
	// *ValidationError. Push and Multicast call it before sending.
	Validate() error
	// withQuickReply returns a copy of the message carrying qr. Unexported
	// so every Message is one of this package's spec-checked shapes.
	withQuickReply(qr *QuickReply) Message
}

// maxTextMessage is LINE's limit on a text message, in UTF-16 units.
const maxTextMessage = 5000

// TextMessage is a plain text bubble.
type TextMessage struct {
	Text       string      `json:"text"`
	QuickReply *QuickReply `json:"quickReply,omitempty"`
}

// MarshalJSON adds "type":"text".
func (m TextMessage) MarshalJSON() ([]byte, error) {
	type wire TextMessage
	return json.Marshal(struct {
		Type string `json:"type"`
		wire
	}{"text", wire(m)})
}

// Validate checks the text is present and at most 5,000 UTF-16 units.
func (m TextMessage) Validate() error {
	if err := checkText("text", m.Text, maxTextMessage); err != nil {
		return err
	}
	return m.QuickReply.validate()
}

func (m TextMessage) withQuickReply(qr *QuickReply) Message { m.QuickReply = qr; return m }

// ImageMessage is a picture. LINE fetches OriginalContentURL (JPEG or PNG,
// ≤ 10 MB) when the person opens it and shows PreviewImageURL (≤ 1 MB) in
// the chat; both must be HTTPS.
type ImageMessage struct {
	OriginalContentURL string      `json:"originalContentUrl"`
	PreviewImageURL    string      `json:"previewImageUrl"`
	QuickReply         *QuickReply `json:"quickReply,omitempty"`
}

// MarshalJSON adds "type":"image".
func (m ImageMessage) MarshalJSON() ([]byte, error) {
	type wire ImageMessage
	return json.Marshal(struct {
		Type string `json:"type"`
		wire
	}{"image", wire(m)})
}

// Validate checks both URLs are HTTPS and not too long.
func (m ImageMessage) Validate() error {
	if err := checkHTTPSURL("originalContentUrl", m.OriginalContentURL); err != nil {
		return err
	}
	if err := checkHTTPSURL("previewImageUrl", m.PreviewImageURL); err != nil {
		return err
	}
	return m.QuickReply.validate()
}

func (m ImageMessage) withQuickReply(qr *QuickReply) Message { m.QuickReply = qr; return m }

// maxAltText is LINE's limit on a template message's altText, shown in
// notifications and on clients that cannot display templates.
const maxAltText = 400

// TemplateMessage carries a buttons or carousel template.
type TemplateMessage struct {
	AltText    string      `json:"altText"`
	Template   Template    `json:"template"`
	QuickReply *QuickReply `json:"quickReply,omitempty"`
}

// MarshalJSON adds "type":"template".
func (m TemplateMessage) MarshalJSON() ([]byte, error) {
	type wire TemplateMessage
	return json.Marshal(struct {
		Type string `json:"type"`
		wire
	}{"template", wire(m)})
}

// Validate checks altText and the template.
func (m TemplateMessage) Validate() error {
	if err := checkText("altText", m.AltText, maxAltText); err != nil {
		return err
	}
	if m.Template == nil {
		return invalid("template", "missing template")
	}
	if err := within("template", m.Template.validate()); err != nil {
		return err
	}
	return m.QuickReply.validate()
}

func (m TemplateMessage) withQuickReply(qr *QuickReply) Message { m.QuickReply = qr; return m }

// Limits of a push or multicast request.
const (
	MaxMessagesPerRequest  = 5
	MaxMulticastRecipients = 500
)

// validateMessages checks the 1–5 messages of one request.
func validateMessages(msgs []Message) error {
	if len(msgs) == 0 || len(msgs) > MaxMessagesPerRequest {
		return invalid("messages", "%d messages, 1 to %d allowed per request", len(msgs), MaxMessagesPerRequest)
	}
	for i, m := range msgs {
		if m == nil {
			return invalid(fmt.Sprintf("messages[%d]", i), "missing message")
		}
		if err := within(fmt.Sprintf("messages[%d]", i), m.Validate()); err != nil {
			return err
		}
	}
	return nil
}
