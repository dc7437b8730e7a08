package models

import "time"

// Delivery states. A delivery is one person of a frozen audience: pending
// until a worker claims it (claimed, under a lease), then sent, failed
// (with a reason), skipped (no longer eligible at send time, with a
// reason) or uncertain (the request may have reached the platform but no
// answer came: never resent automatically on Messenger and WhatsApp).
// Delivered and read are times on a sent delivery, from receipts.
const (
	DeliveryPending   = "pending"
	DeliveryClaimed   = "claimed"
	DeliverySent      = "sent"
	DeliveryFailed    = "failed"
	DeliverySkipped   = "skipped"
	DeliveryUncertain = "uncertain"
)

// Reasons a delivery is skipped (besides the channels.Reason* failure
// reasons): stable codes, stored with the delivery and worded in the report.
const (
	SkipUnsubscribed  = "unsubscribed"   // unsubscribed or blocked before their turn
	SkipOutsideWindow = "outside_window" // Messenger standard message, 24-hour window closed
	SkipTester        = "tester"         // on the channel's test list
	SkipDeleted       = "deleted"        // the contact was deleted
)

// Delivery is one (broadcast, contact) pair: the row state is the
// checkpoint of sending, moved only after the platform answers.
type Delivery struct {
	ID          uint64 `gorm:"primaryKey"`
	BroadcastID uint   `gorm:"not null;uniqueIndex:idx_deliveries_broadcast_contact,priority:1"`
	ContactID   uint64 `gorm:"not null;uniqueIndex:idx_deliveries_broadcast_contact,priority:2"`
	State       string `gorm:"size:12;not null"`
	Attempts    int    `gorm:"not null;default:0"`
	// LeaseUntil and ClaimID: a claimed delivery belongs to the worker
	// that claimed it until the lease expires.
	LeaseUntil *time.Time
	ClaimID    string `gorm:"size:40;not null;default:''"`
	// RetryKey is a LINE push's X-Line-Retry-Key, stored before the first
	// attempt (a multicast's key is its batch's: DeliveryBatch).
	RetryKey string `gorm:"size:36;not null;default:''"`
	// PartsSent: the parts of a Messenger message already sent by an
	// earlier attempt; the retry starts after them.
	PartsSent int `gorm:"not null;default:0"`
	// DispatchedAt: the request of this attempt was about to be written
	// (Messenger, WhatsApp). A lost claim's rows without it were never
	// sent and go back to the queue; those with it become uncertain.
	DispatchedAt  *time.Time
	NextAttemptAt *time.Time
	// ProviderMessageID is the platform's id of the sent message (mid,
	// wamid), which receipts name.
	ProviderMessageID string `gorm:"size:200;not null;default:''"`
	Reason            string `gorm:"size:32;not null;default:''"`
	Detail            string `gorm:"size:500;not null;default:''"`
	SentAt            *time.Time
	DeliveredAt       *time.Time
	ReadAt            *time.Time
	ClickedAt         *time.Time
	RepliedAt         *time.Time
	// UnsubscribedAt: the person unsubscribed or blocked within 24 hours
	// of this message.
	UnsubscribedAt *time.Time
	UpdatedAt      time.Time
}
