package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"omnicast/channels"
)

// InteractiveMessage is a free-form reply-button message: a body and 1–3
// buttons whose taps come back as webhook messages carrying the button id.
// Meta accepts it only inside the 24-hour window, which a tap on a
// template's quick-reply button opens: that is how a bot module reaches a
// WhatsApp contact.
type InteractiveMessage struct {
	To      string
	Body    string
	Buttons []ReplyButton
}

// ReplyButton is one reply button: ID comes back in the webhook.
type ReplyButton struct {
	ID    string
	Title string
}

// maxReplyID is Meta's limit on a reply button id.
const maxReplyID = 256

// Validate checks the message locally against Meta's limits.
func (m InteractiveMessage) Validate() error {
	var errs []error
	if m.To == "" {
		errs = append(errs, errors.New("no recipient"))
	}
	if strings.TrimSpace(m.Body) == "" {
		errs = append(errs, errors.New("empty body"))
	} else if n := utf8.RuneCountInString(m.Body); n > MaxInteractiveBody {
		errs = append(errs, fmt.Errorf("body is %d characters, the limit is %d", n, MaxInteractiveBody))
	}
	if len(m.Buttons) == 0 || len(m.Buttons) > MaxReplyButtons {
		errs = append(errs, fmt.Errorf("%d buttons, 1 to %d allowed", len(m.Buttons), MaxReplyButtons))
	}
	seen := map[string]bool{}
	for i, b := range m.Buttons {
		switch {
		case b.ID == "" || len(b.ID) > maxReplyID || strings.TrimSpace(b.ID) != b.ID:
			errs = append(errs, fmt.Errorf("button %d: id must be 1..%d characters without outer spaces", i, maxReplyID))
		case b.Title == "" || utf8.RuneCountInString(b.Title) > MaxReplyButtonTitle:
			errs = append(errs, fmt.Errorf("button %d: title must be 1..%d characters", i, MaxReplyButtonTitle))
		case seen[b.Title]:
			errs = append(errs, fmt.Errorf("button %d: title %q repeated", i, b.Title))
		}
		seen[b.Title] = true
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("whatsapp: interactive message: %w", err)
	}
	return nil
}

type (
	wireInteractiveMessage struct {
		MessagingProduct string          `json:"messaging_product"`
		RecipientType    string          `json:"recipient_type"`
		To               string          `json:"to"`
		Type             string          `json:"type"`
		Interactive      wireInteractive `json:"interactive"`
	}
	wireInteractive struct {
		Type   string     `json:"type"`
		Body   wireBody   `json:"body"`
		Action wireAction `json:"action"`
	}
	wireBody struct {
		Text string `json:"text"`
	}
	wireAction struct {
		Buttons []wireReplyButton `json:"buttons"`
	}
	wireReplyButton struct {
		Type  string    `json:"type"`
		Reply wireReply `json:"reply"`
	}
	wireReply struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
)

// MarshalJSON renders the Cloud API body (type "interactive", interactive
// type "button").
func (m InteractiveMessage) MarshalJSON() ([]byte, error) {
	w := wireInteractiveMessage{MessagingProduct: "whatsapp", RecipientType: "individual", To: m.To, Type: "interactive",
		Interactive: wireInteractive{Type: "button", Body: wireBody{Text: m.Body}}}
	for _, b := range m.Buttons {
		w.Interactive.Action.Buttons = append(w.Interactive.Action.Buttons,
			wireReplyButton{Type: "reply", Reply: wireReply{ID: b.ID, Title: b.Title}})
	}
	return json.Marshal(w)
}

// RenderCard turns bot module moduleID into an interactive message to
// wa_id to: a button card's reply buttons, or a quick reply's options,
// each with the id tap encodes (channels.NewTapCoder(0) when nil). Cards
// that FitCard refuses (carousels, URL buttons, > 3 options) are errors.
func RenderCard(to string, card channels.Card, moduleID uint, tap channels.TapCoder) (InteractiveMessage, error) {
	if ps := FitCard(card); len(ps) > 0 {
		return InteractiveMessage{}, fmt.Errorf("whatsapp: render card: %s at %q", ps[0].Code, ps[0].Field)
	}
	m := InteractiveMessage{To: to, Body: card.Text}
	for _, t := range card.TapTargets() {
		m.Buttons = append(m.Buttons, ReplyButton{ID: tap.Code(moduleID, t.Index), Title: t.Title})
	}
	if err := m.Validate(); err != nil {
		return InteractiveMessage{}, err
	}
	return m, nil
}

// SendInteractive sends an interactive message (inside the 24-hour window
// only, like SendText).
func (c *Client) SendInteractive(ctx context.Context, msg InteractiveMessage) channels.SendResult {
	if err := msg.Validate(); err != nil {
		return localFailure(err)
	}
	return c.sendMessage(ctx, msg)
}
