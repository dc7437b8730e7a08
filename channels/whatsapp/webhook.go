package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"omnicast/channels"
	"omnicast/channels/meta"
)

// VerifySignature checks a webhook's X-Hub-Signature-256 header against the
// raw body with the app secret, in constant time (Meta's scheme, shared
// with Messenger). Call it before ParseWebhook, on the exact bytes read.
// A refusal matches errors.Is(err, meta.ErrBadSignature).
func VerifySignature(appSecret string, body []byte, header string) error {
	if err := meta.VerifySignature(appSecret, body, header); err != nil {
		return fmt.Errorf("whatsapp: webhook: %w", err)
	}
	return nil
}

// SignatureHeader is the header VerifySignature reads.
const SignatureHeader = meta.SignatureHeader

// VerifyHandshake answers the GET subscription check (hub.mode,
// hub.verify_token, hub.challenge): it returns the challenge to echo, or
// ok=false when the handler must answer 403.
func VerifyHandshake(wantToken, mode, token, challenge string) (string, bool) {
	return meta.VerifyHandshake(wantToken, mode, token, challenge)
}

// webhookObject is the only "object" WhatsApp webhooks carry.
const webhookObject = "whatsapp_business_account"

// Envelope of a WhatsApp webhook. Messages and statuses stay raw so that
// one item of an unexpected shape is skipped instead of failing the whole
// delivery (Meta retries failed deliveries and may disable the webhook).
type (
	webhookBody struct {
		Object string         `json:"object"`
		Entry  []webhookEntry `json:"entry"`
	}
	webhookEntry struct {
		Changes []json.RawMessage `json:"changes"`
	}
	webhookChange struct {
		Field flexString   `json:"field"`
		Value webhookValue `json:"value"`
	}
	webhookValue struct {
		Metadata struct {
			PhoneNumberID flexString `json:"phone_number_id"`
		} `json:"metadata"`
		Contacts []json.RawMessage `json:"contacts"`
		Messages []json.RawMessage `json:"messages"`
		Statuses []json.RawMessage `json:"statuses"`
	}
	webhookContact struct {
		Profile struct {
			Name flexString `json:"name"`
		} `json:"profile"`
		WaID flexString `json:"wa_id"`
	}
	webhookMessage struct {
		From      flexString `json:"from"`
		ID        flexString `json:"id"`
		Timestamp flexString `json:"timestamp"`
		Type      flexString `json:"type"`
		Context   *struct {
			ID flexString `json:"id"`
		} `json:"context"`
		Text *struct {
			Body flexString `json:"body"`
		} `json:"text"`
		Button *struct {
			Payload flexString `json:"payload"`
			Text    flexString `json:"text"`
		} `json:"button"`
		Interactive *struct {
			Type        flexString  `json:"type"`
			ButtonReply *replyTitle `json:"button_reply"`
			ListReply   *replyTitle `json:"list_reply"`
		} `json:"interactive"`
		Reaction *struct {
			MessageID flexString `json:"message_id"`
			Emoji     flexString `json:"emoji"`
		} `json:"reaction"`
		Image    *mediaCaption `json:"image"`
		Video    *mediaCaption `json:"video"`
		Document *mediaCaption `json:"document"`
	}
	replyTitle struct {
		ID    flexString `json:"id"`
		Title flexString `json:"title"`
	}
	mediaCaption struct {
		Caption flexString `json:"caption"`
	}
	webhookStatus struct {
		ID          flexString `json:"id"`
		Status      flexString `json:"status"`
		Timestamp   flexString `json:"timestamp"`
		RecipientID flexString `json:"recipient_id"`
		Errors      []struct {
			Code    flexString `json:"code"`
			Title   flexString `json:"title"`
			Message flexString `json:"message"`
		} `json:"errors"`
	}
)

// ParseWebhook turns a WhatsApp webhook body into events: one EventMessage
// per message from a person and one EventStatus per status of a message we
// sent, each with AccountID set to the phone number id it was addressed to
// (metadata.phone_number_id). It returns an error only for a body that is not a JSON webhook
// envelope; other objects, other change fields (groups, account updates,
// …), system messages and items of unexpected shape give no event.
func ParseWebhook(body []byte) ([]channels.Event, error) {
	return ParseWebhookFor(body, "")
}

// ParseWebhookFor is ParseWebhook keeping only the changes addressed to
// phoneNumberID (metadata.phone_number_id); "" keeps all. Webhooks are
// subscribed per app and account, so one delivery can concern several
// numbers connected as separate channels.
func ParseWebhookFor(body []byte, phoneNumberID string) ([]channels.Event, error) {
	if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("whatsapp: parse webhook: body is not a JSON object")
	}
	var wb webhookBody
	if err := json.Unmarshal(body, &wb); err != nil {
		return nil, fmt.Errorf("whatsapp: parse webhook: %w", err)
	}
	if wb.Object != webhookObject {
		return nil, nil
	}
	var events []channels.Event
	for _, entry := range wb.Entry {
		for _, raw := range entry.Changes {
			var ch webhookChange
			if json.Unmarshal(raw, &ch) != nil || ch.Field != "messages" {
				continue
			}
			if phoneNumberID != "" && string(ch.Value.Metadata.PhoneNumberID) != phoneNumberID {
				continue
			}
			account := string(ch.Value.Metadata.PhoneNumberID)
			for _, ev := range append(messageEvents(ch.Value), statusEvents(ch.Value)...) {
				ev.AccountID = account
				events = append(events, ev)
			}
		}
	}
	return events, nil
}

// messageEvents converts value.messages, naming each sender from
// value.contacts.
func messageEvents(v webhookValue) []channels.Event {
	names := map[string]string{}
	var only string // the sole contact's name, for a sole message without a match
	for _, raw := range v.Contacts {
		var c webhookContact
		if json.Unmarshal(raw, &c) == nil && c.WaID != "" {
			names[string(c.WaID)] = string(c.Profile.Name)
			only = string(c.Profile.Name)
		}
	}
	if len(v.Contacts) != 1 || len(v.Messages) != 1 {
		only = ""
	}
	var out []channels.Event
	for _, raw := range v.Messages {
		var m webhookMessage
		if json.Unmarshal(raw, &m) != nil || m.ID == "" || m.From == "" || m.Type == "system" {
			// System messages (number changed, …) are not written by the
			// person and must not count as opening the 24-hour window.
			continue
		}
		ev := channels.Event{
			Kind:      channels.EventMessage,
			DedupeKey: string(m.ID),
			UserID:    string(m.From),
			Phone:     string(m.From),
			Time:      unixTime(m.Timestamp),
			MessageID: string(m.ID),
		}
		if name, ok := names[string(m.From)]; ok {
			ev.Name = name
		} else {
			ev.Name = only
		}
		if m.Context != nil {
			ev.ContextID = string(m.Context.ID)
		}
		fillContent(&ev, &m)
		out = append(out, ev)
	}
	return out
}

// fillContent sets Text and Payload from the type-specific part.
func fillContent(ev *channels.Event, m *webhookMessage) {
	switch m.Type {
	case "text":
		if m.Text != nil {
			ev.Text = string(m.Text.Body)
		}
	case "button":
		// A template quick-reply tap: context.id is the broadcast answered.
		if m.Button != nil {
			ev.Payload, ev.Text = string(m.Button.Payload), string(m.Button.Text)
		}
	case "interactive":
		if i := m.Interactive; i != nil {
			r := i.ButtonReply
			if r == nil {
				r = i.ListReply
			}
			if r != nil {
				ev.Payload, ev.Text = string(r.ID), string(r.Title)
			}
		}
	case "reaction":
		if r := m.Reaction; r != nil {
			ev.Text = string(r.Emoji)
			if ev.ContextID == "" {
				ev.ContextID = string(r.MessageID)
			}
		}
	case "image", "video", "document":
		for _, media := range []*mediaCaption{m.Image, m.Video, m.Document} {
			if media != nil && media.Caption != "" {
				ev.Text = string(media.Caption)
			}
		}
	}
}

// isTrackedStatus: the statuses omnicast tracks; others are ignored.
func isTrackedStatus(s flexString) bool {
	return s == "sent" || s == "delivered" || s == "read" || s == "failed"
}

// statusEvents converts value.statuses. read may come without delivered.
func statusEvents(v webhookValue) []channels.Event {
	var out []channels.Event
	for _, raw := range v.Statuses {
		var s webhookStatus
		if json.Unmarshal(raw, &s) != nil || s.ID == "" || !isTrackedStatus(s.Status) {
			continue
		}
		ev := channels.Event{
			Kind:      channels.EventStatus,
			DedupeKey: string(s.ID) + ":" + string(s.Status),
			UserID:    string(s.RecipientID),
			Time:      unixTime(s.Timestamp),
			MessageID: string(s.ID),
			Status:    string(s.Status),
		}
		if len(s.Errors) > 0 {
			ev.ErrorCode, _ = strconv.Atoi(string(s.Errors[0].Code))
			ev.ErrorTitle = string(s.Errors[0].Title)
			if ev.ErrorTitle == "" {
				ev.ErrorTitle = string(s.Errors[0].Message)
			}
		}
		out = append(out, ev)
	}
	return out
}
