package messenger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"omnicast/channels"
	"omnicast/channels/meta"
)

// ObjectPage is the webhook "object" of Messenger (Page) notifications.
const ObjectPage = "page"

// VerifySignature checks the X-Hub-Signature-256 header against the raw
// request body. Call it before ParseWebhook: the body is untrusted until then.
func VerifySignature(appSecret string, body []byte, header string) error {
	return meta.VerifySignature(appSecret, body, header)
}

// ParseWebhook reduces a Page messaging webhook body to the events omnicast
// acts on. Only malformed JSON is an error; a body for another object,
// echoes of the Page's own messages, standby events and unknown event types
// yield no events, so the handler can always answer 200 quickly.
func ParseWebhook(body []byte) ([]channels.Event, error) {
	return ParseEnvelope(body, ObjectPage, Messaging.Event)
}

// ParseEnvelope parses the envelope shared by Meta's messaging webhooks,
// {"object","entry":[{"id","time","messaging":[…]}]}, keeps it only when
// its object is object, decodes each messaging item as T and converts it
// with convert (given the entry's time as a fallback timestamp). Each event
// carries its entry's id (the Page or Instagram account it is addressed
// to) as AccountID: one app's Pages share one callback URL. It is
// generic so Instagram can decode items with its extra fields and still
// reuse Messaging.Event for the common ones.
//
// Values of an unexpected JSON type are skipped field by field rather than
// failing the whole body: one odd event must not lose its neighbours.
func ParseEnvelope[T any](body []byte, object string, convert func(item T, entryTime time.Time) (channels.Event, bool)) ([]channels.Event, error) {
	var env struct {
		Object string `json:"object"`
		Entry  []struct {
			ID        flexID            `json:"id"`
			Time      Millis            `json:"time"`
			Messaging []json.RawMessage `json:"messaging"`
		} `json:"entry"`
	}
	if err := tolerantUnmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("parsing %s webhook: %w", object, err)
	}
	if env.Object != object {
		return nil, nil
	}
	var events []channels.Event
	for _, e := range env.Entry {
		for _, raw := range e.Messaging {
			var item T
			if tolerantUnmarshal(raw, &item) != nil {
				continue
			}
			if ev, ok := convert(item, e.Time.Time()); ok {
				ev.AccountID = string(e.ID)
				events = append(events, ev)
			}
		}
	}
	return events, nil
}

// tolerantUnmarshal is json.Unmarshal that ignores type mismatches: the
// decoder fills every field it can and reports only the first mismatch,
// which for a webhook is better skipped than fatal.
func tolerantUnmarshal(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return nil
	}
	return err
}

// Messaging is one item of an entry's "messaging" array. Exactly one of the
// event fields is normally set.
type Messaging struct {
	Sender    Party           `json:"sender"`
	Recipient Party           `json:"recipient"`
	Timestamp Millis          `json:"timestamp"`
	Message   *InboundMessage `json:"message"`
	Postback  *Postback       `json:"postback"`
	Optin     *Optin          `json:"optin"`
	Delivery  *Delivery       `json:"delivery"`
	Read      *Read           `json:"read"`
}

// Party is a sender or recipient. Checkbox-plugin opt-ins carry only UserRef.
type Party struct {
	ID      string `json:"id"`
	UserRef string `json:"user_ref"`
}

// InboundMessage is a message event. Attachments are not decoded: omnicast
// only needs to know the person wrote (which renews the 24-hour window).
type InboundMessage struct {
	MID        string `json:"mid"`
	Text       string `json:"text"`
	IsEcho     bool   `json:"is_echo"`
	IsDeleted  bool   `json:"is_deleted"` // Instagram: the person unsent a message
	QuickReply *struct {
		Payload string `json:"payload"`
	} `json:"quick_reply"`
}

// Postback is a button tap (postback button, Get Started, persistent menu).
type Postback struct {
	MID     string `json:"mid"`
	Title   string `json:"title"`
	Payload string `json:"payload"`
}

// Optin is a messaging opt-in (Send to Messenger plugin, marketing messages).
type Optin struct {
	Type    string `json:"type"`
	Ref     string `json:"ref"`
	Payload string `json:"payload"`
}

// Delivery says the person's device received the Page's messages up to Watermark.
type Delivery struct {
	MIDs      []string `json:"mids"`
	Watermark Millis   `json:"watermark"`
}

// Read says the person read the Page's messages up to Watermark. Instagram
// sends the read message's MID instead.
type Read struct {
	MID       string `json:"mid"`
	Watermark Millis `json:"watermark"`
}

// Event converts m to a channels.Event. It reports false for what omnicast
// ignores: echoes of the Page's own sends, unsent (deleted) messages,
// events without a person's id and event types it does not know.
func (m Messaging) Event(entryTime time.Time) (channels.Event, bool) {
	user := m.Sender.ID
	if user == "" {
		// Checkbox-plugin opt-ins identify the person by user_ref only; it
		// cannot address a broadcast, so there is no contact to record.
		return channels.Event{}, false
	}
	at := m.Timestamp.Time()
	if at.IsZero() {
		at = entryTime
	}
	ts := strconv.FormatInt(int64(m.Timestamp), 10)
	ev := channels.Event{UserID: user, Time: at}
	switch {
	case m.Message != nil:
		if m.Message.IsEcho || m.Message.IsDeleted {
			return channels.Event{}, false
		}
		ev.Kind = channels.EventMessage
		ev.MessageID, ev.Text = m.Message.MID, m.Message.Text
		if m.Message.QuickReply != nil {
			ev.Payload = m.Message.QuickReply.Payload
		}
		ev.DedupeKey = m.Message.MID
		if ev.DedupeKey == "" {
			ev.DedupeKey = hashKey(ev.Kind, user, ts, ev.Text, ev.Payload)
		}
	case m.Postback != nil:
		ev.Kind = channels.EventPostback
		ev.MessageID, ev.Text, ev.Payload = m.Postback.MID, m.Postback.Title, m.Postback.Payload
		ev.DedupeKey = m.Postback.MID
		if ev.DedupeKey == "" {
			ev.DedupeKey = hashKey(ev.Kind, user, ts, ev.Payload)
		}
	case m.Optin != nil:
		ev.Kind = channels.EventOptin
		ev.Payload = m.Optin.Payload
		if ev.Payload == "" {
			ev.Payload = m.Optin.Ref
		}
		ev.DedupeKey = hashKey(ev.Kind, user, ts, m.Optin.Type, ev.Payload)
	case m.Delivery != nil:
		ev.Kind = channels.EventDelivery
		ev.MessageIDs = m.Delivery.MIDs
		ev.Watermark = m.Delivery.Watermark.Time()
		ev.DedupeKey = hashKey(ev.Kind, append([]string{user, strconv.FormatInt(int64(m.Delivery.Watermark), 10)}, m.Delivery.MIDs...)...)
	case m.Read != nil:
		ev.Kind = channels.EventRead
		ev.MessageID = m.Read.MID
		ev.Watermark = m.Read.Watermark.Time()
		if ev.Watermark.IsZero() && m.Read.MID != "" {
			// Instagram names the message read instead of a watermark;
			// having seen it at this time, the person has seen all before.
			ev.Watermark = at
		}
		ev.DedupeKey = hashKey(ev.Kind, user, strconv.FormatInt(int64(m.Read.Watermark), 10), m.Read.MID, ts)
	default:
		return channels.Event{}, false
	}
	return ev, true
}

// hashKey derives a stable dedupe key for events Meta gives no id to, from
// the fields that identify them; a redelivery carries the same fields.
func hashKey(kind channels.EventKind, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return string(kind) + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Millis is a Meta timestamp in milliseconds since the Unix epoch. It
// accepts a JSON number or a numeric string and decodes anything else as 0
// (unknown) rather than failing the event.
type Millis int64

// UnmarshalJSON implements json.Unmarshaler.
func (m *Millis) UnmarshalJSON(b []byte) error {
	*m = 0
	var n json.Number
	if json.Unmarshal(b, &n) != nil {
		return nil
	}
	if i, err := n.Int64(); err == nil {
		*m = Millis(i)
	} else if f, err := n.Float64(); err == nil && f > 0 && f < 1e18 {
		*m = Millis(f)
	}
	return nil
}

// Time returns m as a UTC time, or the zero time when m is not positive.
func (m Millis) Time() time.Time {
	if m <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

// flexID is an id Meta sends as a JSON string, also read from a number
// (kept as its literal digits); anything else decodes as "" (unknown).
type flexID string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexID) UnmarshalJSON(b []byte) error {
	*f = ""
	var s string
	if json.Unmarshal(b, &s) == nil {
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		*f = flexID(n.String())
	}
	return nil
}
