package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"omnicast/channels"
)

// ProfileLookup fetches a person's profile from the platform; ok is false
// when it cannot (no permission, not a friend, timeout): callers then keep
// the stored name.
type ProfileLookup func(userID string) (p channels.Profile, ok bool)

// EventOutcome says what applying one webhook event did.
type EventOutcome struct {
	Duplicate bool   // the event was seen before: nothing changed
	Ignored   bool   // nothing to do for this event
	ContactID uint64 // the contact touched, if any
	Created   bool   // the contact is new
	// Repaired lists the columns of the contact's stored row that could not
	// be read back and were replaced by the event's time.
	Repaired []string
}

// touchesContact tells whether an event kind creates or updates a contact.
func touchesContact(k channels.EventKind) bool {
	switch k {
	case channels.EventFollow, channels.EventUnfollow, channels.EventMessage, channels.EventPostback, channels.EventOptin:
		return true
	}
	return false
}

func isReceipt(k channels.EventKind) bool {
	return k == channels.EventDelivery || k == channels.EventRead || k == channels.EventStatus
}

// ApplyWebhookEvent applies one parsed webhook event of channel ch, received
// at now: contact changes for follows, unfollows and interactions, stored
// receipts for delivery, read and status events. The event is first
// checked and cleaned by PrepareWebhookEvent: one it refuses gives an
// error matching ErrEventInvalid and changes nothing. A redelivered event
// (same dedupe key) changes nothing. The profile is looked up, outside any
// transaction, only when the contact is new or its name is unknown. A
// stored contact row that cannot be read back is repaired, not failed on.
func ApplyWebhookEvent(db *gorm.DB, ch *Channel, ev channels.Event, lookup ProfileLookup, now time.Time) (EventOutcome, error) {
	ev, err := PrepareWebhookEvent(ev, now)
	if err != nil {
		return EventOutcome{}, fmt.Errorf("models: %s event on channel %d: %w", ev.Kind, ch.ID, err)
	}
	if !touchesContact(ev.Kind) && !isReceipt(ev.Kind) {
		return EventOutcome{Ignored: true}, nil
	}
	if touchesContact(ev.Kind) && ev.UserID == "" {
		return EventOutcome{Ignored: true}, nil
	}
	profile := channels.Profile{Name: ev.Name}
	if touchesContact(ev.Kind) && profile.Name == "" && lookup != nil {
		existing, err := findContactRead(db, ch.ID, ev.UserID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return EventOutcome{}, err
		}
		if existing == nil || existing.Name == "" {
			if p, ok := lookup(ev.UserID); ok {
				profile = cleanProfile(p)
			}
		}
	}

	var out EventOutcome
	err = db.Transaction(func(tx *gorm.DB) error {
		if ev.DedupeKey != "" {
			fresh, err := rememberEvent(tx, ch.ID, ev.DedupeKey, now)
			if err != nil {
				return err
			}
			if !fresh {
				out.Duplicate = true
				return nil
			}
		}
		if isReceipt(ev.Kind) {
			return storeReceipt(tx, ch.ID, ev)
		}
		var err error
		out, err = applyContactEvent(tx, ch, ev, profile)
		return err
	})
	if err != nil {
		return EventOutcome{}, fmt.Errorf("models: apply %s event on channel %d: %w", ev.Kind, ch.ID, err)
	}
	return out, nil
}

// rememberEvent records a dedupe key (made storable by
// PrepareWebhookEvent); false means it was already there.
func rememberEvent(tx *gorm.DB, channelID uint, key string, now time.Time) (bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&WebhookEvent{ChannelID: channelID, DedupeKey: key, ReceivedAt: now.UTC()})
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

func storeReceipt(tx *gorm.DB, channelID uint, ev channels.Event) error {
	r := ReceiptEvent{
		ChannelID: channelID, Kind: string(ev.Kind), UserID: ev.UserID, MessageID: ev.MessageID,
		MessageIDs: strings.Join(ev.MessageIDs, " "), Status: ev.Status,
		ErrorCode: ev.ErrorCode, ErrorTitle: ev.ErrorTitle, OccurredAt: ev.Time,
	}
	if !ev.Watermark.IsZero() {
		w := ev.Watermark.UTC()
		r.Watermark = &w
	}
	return tx.Create(&r).Error
}

// applyContactEvent creates or updates the contact an event is about.
func applyContactEvent(tx *gorm.DB, ch *Channel, ev channels.Event, profile channels.Profile) (EventOutcome, error) {
	ev.Phone = PhoneFromWhatsApp(ev.Phone) // WhatsApp's wa_id digits, stored in E.164 like imported numbers
	t := ev.Time
	r, created, err := findOrCreateContact(tx, ch, ev, profile)
	if err != nil {
		return EventOutcome{}, err
	}
	c := &r.Contact
	out := EventOutcome{ContactID: c.ID, Created: created}
	if created {
		return out, nil
	}
	updates := repairUnreadable(r, t)
	out.Repaired = r.unreadable
	if profile.Name != "" && (c.Name == "" || ch.Kind == channels.KindWhatsApp) && profile.Name != c.Name {
		updates["name"] = profile.Name
	}
	if profile.PictureURL != "" && c.PictureURL == "" {
		updates["picture_url"] = profile.PictureURL
	}
	if ev.Phone != "" && c.Phone == "" {
		updates["phone"] = ev.Phone
	}
	switch ev.Kind {
	case channels.EventFollow:
		// A follow older than the last unfollow arrived late: ignore it.
		if !c.Subscribed && (c.UnsubscribedAt == nil || t.After(*c.UnsubscribedAt)) {
			updates["subscribed"], updates["subscribed_at"], updates["unsubscribed_at"] = true, t, nil
		} else if c.Subscribed && c.SubscribedAt == nil {
			updates["subscribed_at"] = t
		}
	case channels.EventUnfollow:
		if c.Subscribed && (c.SubscribedAt == nil || !t.Before(*c.SubscribedAt)) {
			updates["subscribed"], updates["unsubscribed_at"] = false, t
			if err := recordUnsubscribe(tx, c.ID, t); err != nil {
				return out, err
			}
		}
	}
	if len(updates) > 0 {
		if err := tx.Model(&Contact{}).Where("id = ?", c.ID).Updates(updates).Error; err != nil {
			return out, err
		}
	}
	if err := recordEventTap(tx, c.ID, ev); err != nil {
		return out, err
	}
	if ev.Kind == channels.EventMessage && ev.Payload == "" {
		// The person wrote (a tap is not a reply).
		if err := recordReply(tx, c.ID, t); err != nil {
			return out, err
		}
	}
	if isInteraction(ev.Kind) {
		// Only forward: events can arrive out of order.
		err := tx.Model(&Contact{}).
			Where("id = ? AND (last_interaction_at IS NULL OR last_interaction_at < ?)", c.ID, t).
			Update("last_interaction_at", t).Error
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// recordEventTap records a tap when an interaction carries one of our tap
// payloads (LINE postback data, Messenger postback or quick_reply
// payload, WhatsApp button payload or reply id); anything else (the
// person's own text, a staff payload) is not a tap.
func recordEventTap(tx *gorm.DB, contactID uint64, ev channels.Event) error {
	if !isInteraction(ev.Kind) || ev.Payload == "" {
		return nil
	}
	tap, ok := channels.DecodeTap(ev.Payload)
	if !ok {
		return nil
	}
	_, err := RecordTap(tx, contactID, tap, ev.Time)
	return err
}

func isInteraction(k channels.EventKind) bool {
	return k == channels.EventMessage || k == channels.EventPostback || k == channels.EventOptin
}

// repairUnreadable gives every column of r that could not be read back
// the event's time t, as updates to store, so that the row reads again;
// in memory the event then applies to sound values. An unreadable
// unsubscribed_at is stored as t only for an unsubscribed contact, and
// counts as unknown for the event: a follow then resubscribes.
func repairUnreadable(r *contactRead, t time.Time) map[string]any {
	updates := map[string]any{}
	c := &r.Contact
	for _, col := range r.unreadable {
		switch col {
		case "subscribed_at":
			c.SubscribedAt, updates[col] = &t, t
		case "unsubscribed_at":
			c.UnsubscribedAt, updates[col] = nil, nil
			if !c.Subscribed {
				updates[col] = t
			}
		case "last_interaction_at":
			c.LastInteractionAt, updates[col] = &t, t
		case "created_at":
			c.CreatedAt, updates[col] = t, t
		case "updated_at":
			c.UpdatedAt, updates[col] = t, t
		}
	}
	return updates
}

// findOrCreateContact returns the event's contact, creating it with the
// event's effect already applied when it is new.
func findOrCreateContact(tx *gorm.DB, ch *Channel, ev channels.Event, profile channels.Profile) (*contactRead, bool, error) {
	r, err := findContactRead(tx, ch.ID, ev.UserID)
	if err == nil {
		return r, false, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	t := ev.Time
	c := &Contact{
		ChannelID: ch.ID, ExternalID: ev.UserID, Name: profile.Name,
		PictureURL: profile.PictureURL, Phone: ev.Phone, Subscribed: true, SubscribedAt: &t,
	}
	if ev.Kind == channels.EventUnfollow {
		c.Subscribed, c.SubscribedAt, c.UnsubscribedAt = false, nil, &t
	}
	if isInteraction(ev.Kind) {
		c.LastInteractionAt = &t
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(c)
	if res.Error != nil {
		return nil, false, res.Error
	}
	if res.RowsAffected == 0 { // another request created it a moment ago
		r, err = findContactRead(tx, ch.ID, ev.UserID)
		return r, false, err
	}
	return &contactRead{Contact: *c}, true, nil
}
