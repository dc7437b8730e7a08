package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"omnicast/channels"
)

// Column limits of what a webhook event stores (contacts, webhook_events,
// receipt_events). Ids are checked in bytes, which is stricter than
// PostgreSQL's varchar (characters): every platform id is ASCII.
const (
	externalIDMax = 64   // contacts.external_id, receipt_events.user_id
	phoneMax      = 32   // contacts.phone
	messageIDMax  = 200  // receipt_events.message_id
	dedupeKeyMax  = 200  // webhook_events.dedupe_key
	statusMax     = 16   // receipt_events.status
	nameMax       = 200  // contacts.name
	pictureURLMax = 1000 // contacts.picture_url
	errorTitleMax = 255  // receipt_events.error_title
	// eventTextMax bounds message texts and payloads, which are not stored
	// today but travel with the event (LINE allows 5,000 characters).
	eventTextMax = 5000
)

// Webhook times are trusted only within [webhookTimeFloor, receive time +
// webhookTimeSlack]: the platforms stamp events with their own clocks, a
// day of slack covers any clock skew, and anything else (year 10000, 1970)
// is a broken or forged stamp that would break sorting, display and, on
// SQLite, reading the row back.
const webhookTimeSlack = 24 * time.Hour

func webhookTimeFloor() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }

// PlausibleWebhookTime returns t when it lies within [2000-01-01, received
// + 1 day], and otherwise received (also for the zero time: the platform
// gave none). It is the one rule for every time a webhook carries.
func PlausibleWebhookTime(t, received time.Time) time.Time {
	received = received.UTC()
	if t.IsZero() || t.Before(webhookTimeFloor()) || t.After(received.Add(webhookTimeSlack)) {
		return received
	}
	return t.UTC()
}

// ErrEventInvalid marks a webhook event that cannot be stored as sent (an
// id too long or holding a NUL byte): it is dropped, its neighbours in the
// same delivery are still applied. Match it with errors.Is.
var ErrEventInvalid = errors.New("models: invalid webhook event")

// invalidEventError says which field of an event was refused and why.
type invalidEventError struct {
	field, reason string
}

func (e *invalidEventError) Error() string {
	return fmt.Sprintf("models: invalid webhook event: %s %s", e.field, e.reason)
}

func (e *invalidEventError) Is(target error) bool { return target == ErrEventInvalid }

// checkID refuses an id that does not fit its column, is not UTF-8 or holds
// a NUL byte. An id is never cut: a cut id would be another person's or
// message's id.
func checkID(field, id string, max int) error {
	switch {
	case len(id) > max:
		return &invalidEventError{field, fmt.Sprintf("is %d bytes, over the %d that fit", len(id), max)}
	case HasNUL(id):
		return &invalidEventError{field, "holds a NUL byte"}
	case !utf8.ValidString(id):
		return &invalidEventError{field, "is not valid UTF-8"}
	}
	return nil
}

// storableDedupeKey keeps a key that fits its column as it is and replaces
// any other (too long, NUL bytes, broken UTF-8) by the hex SHA-256 of its
// bytes: a redelivery carries the same key, so it hashes the same, and no
// two keys are made one by cutting them.
func storableDedupeKey(key string) string {
	if len(key) <= dedupeKeyMax && !HasNUL(key) && utf8.ValidString(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// PrepareWebhookEvent checks and cleans one parsed webhook event before
// anything of it is stored, received being when the delivery arrived:
//   - its time and watermark are made plausible (PlausibleWebhookTime);
//   - ids (person, phone, message, status) that do not fit their column or
//     hold a NUL byte make the event invalid (ErrEventInvalid);
//   - free text (name, texts, error title) loses NUL bytes and is cut to
//     its column on a character boundary;
//   - a dedupe key that does not fit is replaced by its hash.
func PrepareWebhookEvent(ev channels.Event, received time.Time) (channels.Event, error) {
	ev.Time = PlausibleWebhookTime(ev.Time, received)
	if !ev.Watermark.IsZero() {
		ev.Watermark = PlausibleWebhookTime(ev.Watermark, received)
	}
	checks := []struct {
		field, value string
		max          int
	}{
		{"user id", ev.UserID, externalIDMax},
		{"account id", ev.AccountID, externalIDMax},
		{"phone", ev.Phone, phoneMax},
		{"message id", ev.MessageID, messageIDMax},
		{"context id", ev.ContextID, messageIDMax},
		{"status", ev.Status, statusMax},
	}
	for _, c := range checks {
		if err := checkID(c.field, c.value, c.max); err != nil {
			return ev, err
		}
	}
	for _, id := range ev.MessageIDs {
		if err := checkID("delivered message id", id, messageIDMax); err != nil {
			return ev, err
		}
	}
	ev.DedupeKey = storableDedupeKey(ev.DedupeKey)
	ev.Name = CleanText(ev.Name, nameMax)
	ev.ErrorTitle = CleanText(ev.ErrorTitle, errorTitleMax)
	ev.Text = CleanText(ev.Text, eventTextMax)
	ev.Payload = CleanText(ev.Payload, eventTextMax)
	return ev, nil
}

// cleanProfile makes a platform's profile answer storable: the name is
// cleaned and cut like any text; a picture URL that does not fit is
// dropped, since a cut URL points nowhere.
func cleanProfile(p channels.Profile) channels.Profile {
	p.Name = CleanText(p.Name, nameMax)
	if len(p.PictureURL) > pictureURLMax || HasNUL(p.PictureURL) || !utf8.ValidString(p.PictureURL) {
		p.PictureURL = ""
	}
	return p
}
