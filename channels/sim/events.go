package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"omnicast/channels"
)

// inbound is what a person does, reduced to what the webhook builders need.
type inbound struct {
	kind    channels.EventKind // follow, unfollow, message, postback
	text    string             // message text
	payload string             // postback payload
}

// Follow makes a person follow the account and calls its webhook: a LINE
// follow event (isUnblocked when they had unfollowed), a Messenger opt-in,
// or a first message on Instagram and WhatsApp. It opens the person's
// 24-hour window.
func (s *Sim) Follow(ctx context.Context, accountID, personID string) error {
	return s.emit(ctx, accountID, personID, inbound{kind: channels.EventFollow})
}

// Unfollow makes a person leave: a LINE unfollow event, after which
// pushes to them fail. Meta platforms send no webhook for a block; the
// person is only marked unavailable (Messenger then answers code 551 and
// WhatsApp reports the message failed with 131026).
func (s *Sim) Unfollow(ctx context.Context, accountID, personID string) error {
	return s.emit(ctx, accountID, personID, inbound{kind: channels.EventUnfollow})
}

// Message makes a person send text to the account and calls its webhook
// (LINE message event, Messenger / Instagram message with a mid, WhatsApp
// messages change with the contact's profile name). It renews the
// person's 24-hour window.
func (s *Sim) Message(ctx context.Context, accountID, personID, text string) error {
	return s.emit(ctx, accountID, personID, inbound{kind: channels.EventMessage, text: text})
}

// Postback makes a person tap a button carrying payload: a LINE postback,
// a Messenger / Instagram postback, or a WhatsApp quick-reply button
// message whose context names the last message sent to them. It renews
// the person's 24-hour window.
func (s *Sim) Postback(ctx context.Context, accountID, personID, payload string) error {
	return s.emit(ctx, accountID, personID, inbound{kind: channels.EventPostback, payload: payload})
}

// RedeliverLast sends the account's last event webhook (from Follow,
// Unfollow, Message or Postback; not receipts) again: LINE events marked
// deliveryContext.isRedelivery true with their webhookEventId unchanged,
// Meta bodies byte for byte.
func (s *Sim) RedeliverLast(ctx context.Context, accountID string) error {
	s.mu.Lock()
	acc := s.account(accountID)
	if acc == nil || acc.lastHook == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: no webhook sent yet for %q", ErrUnknown, accountID)
	}
	h := *acc.lastHook
	h.url, h.secret = acc.WebhookURL, acc.Secret
	s.mu.Unlock()
	if h.kind == channels.KindLINE {
		var body map[string]any
		if err := json.Unmarshal(h.body, &body); err != nil {
			return err
		}
		events, _ := body["events"].([]any)
		for _, e := range events {
			if ev, ok := e.(map[string]any); ok {
				ev["deliveryContext"] = map[string]any{"isRedelivery": true}
			}
		}
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		h.body = b
	}
	return s.deliver(ctx, &h)
}

// emit updates the person's state for ev, builds the account's webhook
// body and delivers it.
func (s *Sim) emit(ctx context.Context, accountID, personID string, ev inbound) error {
	s.mu.Lock()
	acc := s.account(accountID)
	p := s.person(accountID, personID)
	if acc == nil || p == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: account %q person %q", ErrUnknown, accountID, personID)
	}
	now := s.now()
	wasUnfollowed := p.unfollowed
	switch ev.kind {
	case channels.EventUnfollow:
		p.unfollowed = true
	default:
		p.unfollowed = false
		p.LastInteraction = now
	}
	if ev.kind == channels.EventUnfollow && acc.Kind != channels.KindLINE {
		s.mu.Unlock()
		return nil
	}
	var payload any
	switch acc.Kind {
	case channels.KindLINE:
		payload = s.lineEvent(acc, p, ev, now, wasUnfollowed)
	case channels.KindWhatsApp:
		payload = s.whatsAppEvent(acc, p, ev, now)
	default:
		payload = s.messengerEvent(acc, p, ev, now)
	}
	h, err := newHook(acc, payload)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	acc.lastHook = h
	s.mu.Unlock()
	return s.deliver(ctx, h)
}

// greeting is a first message in the person's language.
func greeting(lang string) string {
	switch lang {
	case "zh-TW":
		return "你好！"
	case "zh-HK":
		return "你好呀！"
	}
	return "Hi!"
}

// lineEvent builds a LINE webhook body. Caller holds s.mu.
func (s *Sim) lineEvent(acc *account, p *person, ev inbound, now time.Time, wasUnfollowed bool) any {
	e := map[string]any{
		"type":            string(ev.kind),
		"mode":            "active",
		"timestamp":       now.UnixMilli(),
		"source":          map[string]any{"type": "user", "userId": p.ID},
		"webhookEventId":  s.ulid(now),
		"deliveryContext": map[string]any{"isRedelivery": false},
	}
	switch ev.kind {
	case channels.EventFollow:
		e["replyToken"] = s.replyToken()
		e["follow"] = map[string]any{"isUnblocked": wasUnfollowed}
	case channels.EventMessage:
		e["replyToken"] = s.replyToken()
		e["message"] = map[string]any{
			"type": "text", "id": s.lineMessageID(), "text": ev.text,
			"quoteToken": s.lineToken(88), "markAsReadToken": s.lineToken(40),
		}
	case channels.EventPostback:
		e["replyToken"] = s.replyToken()
		e["postback"] = map[string]any{"data": ev.payload}
	}
	return map[string]any{"destination": acc.botUserID, "events": []any{e}}
}

// messengerEvent builds a Messenger or Instagram webhook body. Caller
// holds s.mu.
func (s *Sim) messengerEvent(acc *account, p *person, ev inbound, now time.Time) any {
	item := map[string]any{
		"sender":    map[string]string{"id": p.ID},
		"recipient": map[string]string{"id": acc.ExternalID},
		"timestamp": now.UnixMilli(),
	}
	switch {
	case ev.kind == channels.EventFollow && acc.Kind == channels.KindMessenger:
		item["optin"] = map[string]string{"ref": "omnicast-sim"}
	case ev.kind == channels.EventPostback:
		item["postback"] = map[string]string{"mid": s.messengerMID(), "title": ev.payload, "payload": ev.payload}
	default: // message, or Instagram's first message
		text := ev.text
		if ev.kind == channels.EventFollow {
			text = greeting(p.Language)
		}
		item["message"] = map[string]string{"mid": s.messengerMID(), "text": text}
	}
	return metaEnvelope(acc, now, item)
}

// metaEnvelope wraps a messaging item in Messenger's / Instagram's envelope.
func metaEnvelope(acc *account, now time.Time, items ...any) any {
	object := "page"
	if acc.Kind == channels.KindInstagram {
		object = "instagram"
	}
	return map[string]any{
		"object": object,
		"entry": []any{map[string]any{
			"id": acc.ExternalID, "time": now.UnixMilli(), "messaging": items,
		}},
	}
}

// whatsAppEvent builds a WhatsApp messages webhook body. Caller holds s.mu.
func (s *Sim) whatsAppEvent(acc *account, p *person, ev inbound, now time.Time) any {
	msg := map[string]any{
		"from":      p.ID,
		"id":        s.wamid(p.ID),
		"timestamp": strconv.FormatInt(now.Unix(), 10),
	}
	switch ev.kind {
	case channels.EventPostback:
		ctxID := p.lastOut
		if ctxID == "" {
			ctxID = s.wamid(p.ID)
		}
		msg["type"] = "button"
		msg["context"] = map[string]string{"from": digits(displayPhone(acc.ExternalID)), "id": ctxID}
		msg["button"] = map[string]string{"payload": ev.payload, "text": ev.payload}
	default:
		text := ev.text
		if ev.kind == channels.EventFollow {
			text = greeting(p.Language)
		}
		msg["type"] = "text"
		msg["text"] = map[string]string{"body": text}
	}
	return whatsAppEnvelope(acc, map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]string{"name": p.Name}, "wa_id": p.ID}},
		"messages": []any{msg},
	})
}

// whatsAppEnvelope wraps a change value (given its contacts/messages or
// statuses) in the Cloud API's webhook envelope.
func whatsAppEnvelope(acc *account, value map[string]any) any {
	value["messaging_product"] = "whatsapp"
	value["metadata"] = map[string]string{
		"display_phone_number": digits(displayPhone(acc.ExternalID)),
		"phone_number_id":      acc.ExternalID,
	}
	entryID := acc.WABAID
	if entryID == "" {
		entryID = acc.ExternalID
	}
	return map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{
			"id":      entryID,
			"changes": []any{map[string]any{"value": value, "field": "messages"}},
		}},
	}
}
