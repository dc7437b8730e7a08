package line

import "fmt"

// NewText builds a text message of 1 to 5,000 UTF-16 units.
func NewText(text string) (TextMessage, error) {
	m := TextMessage{Text: text}
	if err := m.Validate(); err != nil {
		return TextMessage{}, fmt.Errorf("line: text message: %w", err)
	}
	return m, nil
}

// NewImage builds an image message from two HTTPS URLs: the full picture
// (JPEG or PNG, ≤ 10 MB) and its preview (≤ 1 MB).
func NewImage(originalContentURL, previewImageURL string) (ImageMessage, error) {
	m := ImageMessage{OriginalContentURL: originalContentURL, PreviewImageURL: previewImageURL}
	if err := m.Validate(); err != nil {
		return ImageMessage{}, fmt.Errorf("line: image message: %w", err)
	}
	return m, nil
}

// NewButtons builds a buttons template message. altText (≤ 400) is what
// notifications and template-less clients show.
func NewButtons(altText string, t ButtonsTemplate) (TemplateMessage, error) {
	m := TemplateMessage{AltText: altText, Template: t}
	if err := m.Validate(); err != nil {
		return TemplateMessage{}, fmt.Errorf("line: buttons template: %w", err)
	}
	return m, nil
}

// NewCarousel builds a carousel template message of 1–10 columns.
func NewCarousel(altText string, t CarouselTemplate) (TemplateMessage, error) {
	m := TemplateMessage{AltText: altText, Template: t}
	if err := m.Validate(); err != nil {
		return TemplateMessage{}, fmt.Errorf("line: carousel template: %w", err)
	}
	return m, nil
}

// WithQuickReply returns a copy of m with quick reply buttons (1–13 items)
// attached. The quick reply shows under the message when it is the last
// one of the request.
func WithQuickReply(m Message, items ...QuickReplyItem) (Message, error) {
	if m == nil {
		return nil, fmt.Errorf("line: quick reply: %w", invalid("", "no message to attach it to"))
	}
	qr := &QuickReply{Items: append([]QuickReplyItem(nil), items...)}
	if err := qr.validate(); err != nil {
		return nil, fmt.Errorf("line: quick reply: %w", err)
	}
	return m.withQuickReply(qr), nil
}
