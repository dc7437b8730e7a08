package messenger

import (
	"errors"
	"fmt"
	"net/url"
	"unicode/utf8"
)

// Limits of the Messenger Platform, in characters (Unicode code points).
// Meta documents them per field; they are checked when a message is built
// and again by Send, so a hand-assembled Message cannot slip past them.
const (
	MaxTextChars          = 2000 // text message
	MaxButtonTemplateText = 640  // button template text
	MaxButtons            = 3    // buttons per button template or element
	MaxButtonTitle        = 20   // button title
	MaxElements           = 10   // generic template elements
	MaxElementTitle       = 80   // element title
	MaxElementSubtitle    = 80   // element subtitle
	MaxQuickReplies       = 13   // quick replies per message
	MaxQuickReplyTitle    = 20   // quick reply title
	MaxPayload            = 1000 // postback / quick reply payload
)

// ErrInvalidMessage wraps every validation failure so callers can tell a
// message the platform would refuse from a transport or platform error.
var ErrInvalidMessage = errors.New("invalid Messenger message")

// Text returns a text message.
func Text(text string) (Message, error) {
	m := Message{Text: text}
	return m, m.Validate()
}

// Image returns an image attachment fetched by Meta from imageURL (≤ 8 MB),
// marked reusable so Meta caches it across the recipients of a broadcast.
func Image(imageURL string) (Message, error) {
	m := Message{Attachment: &Attachment{Type: AttachmentImage, Payload: AttachmentPayload{URL: imageURL, IsReusable: true}}}
	return m, m.Validate()
}

// ButtonTemplate returns a button template: text (≤ 640) with 1–3 buttons.
func ButtonTemplate(text string, buttons ...Button) (Message, error) {
	m := Message{Attachment: &Attachment{Type: AttachmentTemplate, Payload: AttachmentPayload{
		TemplateType: TemplateButton, Text: text, Buttons: buttons,
	}}}
	return m, m.Validate()
}

// GenericTemplate returns a generic template (a carousel of 1–10 elements).
func GenericTemplate(elements ...Element) (Message, error) {
	m := Message{Attachment: &Attachment{Type: AttachmentTemplate, Payload: AttachmentPayload{
		TemplateType: TemplateGeneric, Elements: elements,
	}}}
	return m, m.Validate()
}

// WithQuickReplies returns a copy of m carrying replies (1–13).
func (m Message) WithQuickReplies(replies ...QuickReply) (Message, error) {
	m.QuickReplies = append([]QuickReply(nil), replies...)
	if len(replies) == 0 {
		return m, fmt.Errorf("%w: no quick replies given", ErrInvalidMessage)
	}
	return m, m.Validate()
}

// Validate checks m against the platform's shape rules and limits.
func (m Message) Validate() error {
	switch {
	case m.Text != "" && m.Attachment != nil:
		return invalid("a message has either text or an attachment, not both")
	case m.Text != "":
		if err := checkText("text", m.Text, 1, MaxTextChars); err != nil {
			return err
		}
	case m.Attachment != nil:
		if err := m.Attachment.validate(); err != nil {
			return err
		}
	default:
		return invalid("empty message: no text and no attachment")
	}
	if len(m.QuickReplies) > MaxQuickReplies {
		return invalid("%d quick replies, the limit is %d", len(m.QuickReplies), MaxQuickReplies)
	}
	for i, q := range m.QuickReplies {
		if err := q.validate(); err != nil {
			return fmt.Errorf("quick reply %d: %w", i+1, err)
		}
	}
	return nil
}

func (a *Attachment) validate() error {
	p := a.Payload
	switch a.Type {
	case AttachmentImage, "audio", "video", "file":
		return checkURL(a.Type+" url", p.URL)
	case AttachmentTemplate:
		switch p.TemplateType {
		case TemplateButton:
			return validateButtonTemplate(p)
		case TemplateGeneric:
			return validateGeneric(p)
		}
		return invalid("unsupported template type %q", p.TemplateType)
	}
	return invalid("unsupported attachment type %q", a.Type)
}

func validateButtonTemplate(p AttachmentPayload) error {
	if err := checkText("button template text", p.Text, 1, MaxButtonTemplateText); err != nil {
		return err
	}
	if len(p.Buttons) == 0 || len(p.Buttons) > MaxButtons {
		return invalid("button template has %d buttons, it needs 1 to %d", len(p.Buttons), MaxButtons)
	}
	return validateButtons(p.Buttons)
}

func validateGeneric(p AttachmentPayload) error {
	if len(p.Elements) == 0 || len(p.Elements) > MaxElements {
		return invalid("generic template has %d elements, it needs 1 to %d", len(p.Elements), MaxElements)
	}
	for i, e := range p.Elements {
		if err := e.validate(); err != nil {
			return fmt.Errorf("element %d: %w", i+1, err)
		}
	}
	return nil
}

func (e Element) validate() error {
	if err := checkText("title", e.Title, 1, MaxElementTitle); err != nil {
		return err
	}
	if err := checkText("subtitle", e.Subtitle, 0, MaxElementSubtitle); err != nil {
		return err
	}
	if e.ImageURL != "" {
		if err := checkURL("image_url", e.ImageURL); err != nil {
			return err
		}
	}
	if len(e.Buttons) > MaxButtons {
		return invalid("%d buttons, the limit is %d", len(e.Buttons), MaxButtons)
	}
	return validateButtons(e.Buttons)
}

func validateButtons(buttons []Button) error {
	for i, b := range buttons {
		if err := b.validate(); err != nil {
			return fmt.Errorf("button %d: %w", i+1, err)
		}
	}
	return nil
}

func (b Button) validate() error {
	if err := checkText("button title", b.Title, 1, MaxButtonTitle); err != nil {
		return err
	}
	switch b.Type {
	case ButtonWebURL:
		return checkURL("button url", b.URL)
	case ButtonPostback:
		return checkText("postback payload", b.Payload, 1, MaxPayload)
	}
	return invalid("unsupported button type %q", b.Type)
}

func (q QuickReply) validate() error {
	if q.ContentType != QuickReplyText {
		return invalid("unsupported quick reply content type %q", q.ContentType)
	}
	if err := checkText("quick reply title", q.Title, 1, MaxQuickReplyTitle); err != nil {
		return err
	}
	if err := checkText("quick reply payload", q.Payload, 1, MaxPayload); err != nil {
		return err
	}
	if q.ImageURL != "" {
		return checkURL("quick reply image_url", q.ImageURL)
	}
	return nil
}

// checkText enforces valid UTF-8 (Meta rejects anything else) and a length
// in characters between lo and hi.
func checkText(field, s string, lo, hi int) error {
	if !utf8.ValidString(s) {
		return invalid("%s is not valid UTF-8", field)
	}
	n := utf8.RuneCountInString(s)
	if n < lo {
		return invalid("%s is empty", field)
	}
	if n > hi {
		return invalid("%s is %d characters, the limit is %d", field, n, hi)
	}
	return nil
}

// checkURL requires an absolute http(s) URL: Meta fetches media and opens
// buttons itself, so a relative or other-scheme URL can never work.
func checkURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("%s %q is not an absolute http(s) URL", field, raw)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidMessage}, args...)...)
}
