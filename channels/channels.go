// Package channels holds the types shared by the platform clients in its
// sub-packages (messenger, instagram, line, whatsapp) and the simulator. It
// imports nothing of omnicast's: the clients speak the platforms' wire
// formats and know nothing of the database or of HTTP handlers.
package channels

import "time"

// Kinds of connected account.
const (
	KindMessenger = "messenger"
	KindInstagram = "instagram"
	KindLINE      = "line"
	KindWhatsApp  = "whatsapp"
)

// Kinds lists every kind of channel in display order.
func Kinds() []string { return []string{KindMessenger, KindLINE, KindWhatsApp, KindInstagram} }

// Outcome classifies what a platform answered to a send.
type Outcome int

const (
	// Sent: the platform accepted the message.
	Sent Outcome = iota + 1
	// Retryable: not sent; trying again later may succeed (429, 5xx, …).
	Retryable
	// Permanent: not sent and never will be for this person or content.
	Permanent
	// Uncertain: the request may have reached the platform but no answer
	// came (timeout, connection cut after sending). Do not resend blindly.
	Uncertain
)

func (o Outcome) String() string {
	switch o {
	case Sent:
		return "sent"
	case Retryable:
		return "retryable"
	case Permanent:
		return "permanent"
	case Uncertain:
		return "uncertain"
	}
	return "unknown"
}

// SendResult is the classified answer to one send request.
type SendResult struct {
	Outcome Outcome
	// ProviderMessageID is the platform's id of the sent message (mid,
	// wamid, LINE sentMessages[0].id) when it gives one.
	ProviderMessageID string
	// RetryAfter is the platform's Retry-After, when given.
	RetryAfter time.Duration
	// Reason is a stable reason code (see the Reason* constants).
	Reason string
	// Detail is the platform's own error text, for the report.
	Detail string
	// HTTPStatus is the status code answered, 0 when none came.
	HTTPStatus int
	// PlatformCode and PlatformSubcode are the platform's error codes.
	PlatformCode    int
	PlatformSubcode int
	// PauseChannel tells the dispatcher to stop sending on this channel
	// (invalid token, page restricted, spam limit).
	PauseChannel bool
	// StopBroadcast tells the dispatcher to stop the whole broadcast.
	StopBroadcast bool
	// RetrySafe: sending the same Outgoing again (with the same Key)
	// cannot deliver it twice. True for every Retryable answer, and for a
	// LINE request sent with a retry key whose answer never came (Outcome
	// Retryable, Reason ReasonNoAnswer: LINE answers 409 to a repeat of an
	// accepted key) or whose 2xx answer could not be read (Uncertain). An
	// Uncertain result without RetrySafe must never be resent
	// automatically (Messenger and WhatsApp have no idempotency key).
	// When the retries of a ReasonNoAnswer result run out, the delivery is
	// uncertain, not failed: it may have gone out.
	RetrySafe bool
	// Breaks: the answer trips the channel's circuit breaker by itself
	// (token error 190/401, abuse 368, Page restricted 10/1893063,
	// WhatsApp spam limit 131048), see BreakerReason.
	Breaks bool
	// PartsSent counts the parts known sent, from the first, including
	// the Outgoing.FromPart already sent before. Messenger sends a part per
	// request: after a failure on part k, PartsSent is k, and a retry must
	// pass FromPart = PartsSent so the first parts are not sent twice. On
	// LINE and WhatsApp it is all parts or none.
	PartsSent int
}

// Reason codes (stable strings stored with failed deliveries).
const (
	ReasonOutsideWindow  = "outside_window"   // Messenger 10/2018278, WhatsApp 131047
	ReasonUnavailable    = "unavailable"      // Messenger 551, WhatsApp 131026
	ReasonRateLimited    = "rate_limited"     // 429, Messenger 4/613, WhatsApp 130429/131056
	ReasonTemporary      = "temporary"        // 5xx, Messenger 2
	ReasonInvalidToken   = "invalid_token"    // Messenger 190, 401
	ReasonPermission     = "permission"       // Messenger 200/230
	ReasonAbusive        = "abusive"          // Messenger 368
	ReasonPageRestricted = "page_restricted"  // Messenger 10/1893063
	ReasonNoSuchUser     = "no_such_user"     // Messenger 100/2018001, unknown LINE user
	ReasonQuotaExhausted = "quota_exhausted"  // LINE monthly quota
	ReasonBadRequest     = "bad_request"      // 400 otherwise
	ReasonSpamLimit      = "spam_limit"       // WhatsApp 131048
	ReasonEcosystem      = "ecosystem_health" // WhatsApp 131049
	ReasonAlreadySent    = "already_sent"     // LINE 409 on a repeated retry key
	ReasonNoAnswer       = "no_answer"        // timeout / connection lost
	ReasonUnknown        = "unknown"
)

// EventKind is the kind of an inbound webhook event.
type EventKind string

// Event kinds omnicast acts on.
const (
	EventFollow   EventKind = "follow"   // LINE follow (subscribed)
	EventUnfollow EventKind = "unfollow" // LINE unfollow / block
	EventMessage  EventKind = "message"  // a message from the person
	EventPostback EventKind = "postback" // button / postback tap
	EventOptin    EventKind = "optin"    // Messenger opt-in
	EventDelivery EventKind = "delivery" // delivery receipt
	EventRead     EventKind = "read"     // read receipt
	EventStatus   EventKind = "status"   // WhatsApp message status (sent/delivered/read/failed)
)

// Event is one platform webhook event reduced to what omnicast uses.
type Event struct {
	Kind EventKind
	// DedupeKey identifies the event across redeliveries (LINE
	// webhookEventId, Meta message id, or a hash of the event's identity).
	DedupeKey string
	// UserID is the person's id on the platform (PSID, IGSID, LINE userId, wa_id).
	UserID string
	// AccountID is the connected account the event is addressed to, as the
	// platform names it: the Page or Instagram account id (entry[].id) for
	// Messenger and Instagram, the phone number id
	// (metadata.phone_number_id) for WhatsApp, and for LINE the bot's user
	// id (destination, which is not the LINE channel id). Meta sends the
	// events of every Page or number of one app to one callback URL, so a
	// receiver must route by it rather than trust the URL.
	AccountID string
	// Name is the person's name when the event carries it (WhatsApp profile).
	Name string
	// Phone is the person's phone number (WhatsApp).
	Phone string
	// Time is when the platform says the event happened.
	Time time.Time
	// MessageID is the id of the inbound message, or of the outbound
	// message a status refers to.
	MessageID string
	// MessageIDs lists the outbound messages a Messenger delivery covers.
	MessageIDs []string
	// Watermark: every outbound message before it is delivered / read.
	Watermark time.Time
	// Status is sent | delivered | read | failed for EventStatus.
	Status string
	// ErrorCode and ErrorTitle describe a failed status.
	ErrorCode  int
	ErrorTitle string
	// Text, Payload: the message text and button/postback/quick-reply payload.
	Text    string
	Payload string
	// ContextID is the outbound message a WhatsApp reply or button answers.
	ContextID string
	// Redelivery is true when the platform says it resends the event.
	Redelivery bool
	// Unblocked is LINE's follow.isUnblocked.
	Unblocked bool
}

// Profile is what a platform's profile API returns.
type Profile struct {
	Name       string
	PictureURL string
}
