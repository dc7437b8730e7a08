package channels

import "context"

// This file is the one shape every platform client takes for sending:
// the dispatcher hands an Outgoing to a Sender and gets a classified
// SendResult back, whatever the platform.

// Outgoing is one message (1–5 bubbles, or a WhatsApp template) for one
// person, as the dispatcher hands it to a Sender.
type Outgoing struct {
	// To is the person's id on the platform (PSID, LINE userId, wa_id).
	To string
	// Name fills the name parameter ({{name}}, or a template parameter
	// marked as the contact's name).
	Name string
	// Content is the resolved content (uploads as images, modules as
	// cards), as saved when sending started.
	Content Content
	// MessageTag is the Messenger message tag; "" (or "standard") is a
	// standard message inside the 24-hour window. The Send API names
	// (CONFIRMED_EVENT_UPDATE…) and the product's (event_update…) are
	// both understood. Other platforms ignore it.
	MessageTag string
	// Key is the idempotency key (LINE: X-Line-Retry-Key, a UUID). The
	// caller persists it with the delivery BEFORE the first attempt and
	// passes the same key on every retry; a key made up at retry time
	// protects nothing. Platforms without idempotency ignore it.
	Key string
	// BroadcastID goes into tap payloads (0 for test sends).
	BroadcastID uint
	// FromPart skips the first parts: they went out on an earlier attempt
	// (SendResult.PartsSent). Only Messenger sends one request per part;
	// LINE and WhatsApp send everything in one request and ignore it.
	FromPart int
}

// Sender sends one Outgoing and classifies the answer. Send never retries
// by itself and never returns an error: everything the dispatcher needs is
// in the result. Implementations are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, o Outgoing) SendResult
}

// Multicaster sends identical content to many people in one request (LINE).
// Content must not be personalised (Content.Personalised false): nobody's
// name can be filled in. key works as Outgoing.Key, one per request.
type Multicaster interface {
	Multicast(ctx context.Context, to []string, c Content, key string, broadcastID uint) SendResult
	// MulticastMax is the most recipients one request may carry.
	MulticastMax() int
}

// breakerReasons are the answers that stop a whole channel (or broadcast)
// at once rather than one person: a token error, Meta's abuse verdict, a
// restricted Page or number, the WhatsApp spam limit.
var breakerReasons = map[string]bool{
	ReasonInvalidToken:   true,
	ReasonAbusive:        true,
	ReasonPageRestricted: true,
	ReasonSpamLimit:      true,
}

// BreakerReason reports whether reason trips the channel's circuit breaker
// by itself (SendResult.Breaks).
func BreakerReason(reason string) bool { return breakerReasons[reason] }

// Settle fills the fields derived from Outcome and Reason: RetrySafe for a
// Retryable answer (the platform refused the request, so sending it again
// cannot deliver twice) and Breaks for the breaker reasons. Every client
// passes its results through it, so the rules hold the same everywhere.
func Settle(r SendResult) SendResult {
	if r.Outcome == Retryable {
		r.RetrySafe = true
	}
	if BreakerReason(r.Reason) {
		r.Breaks = true
	}
	return r
}
