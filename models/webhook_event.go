package models

import (
	"time"
)

// WebhookEvent remembers an inbound event's dedupe key, so redelivered
// events change nothing twice.
type WebhookEvent struct {
	ID         uint64    `gorm:"primaryKey"`
	ChannelID  uint      `gorm:"not null;uniqueIndex:idx_webhook_events_key,priority:1"`
	DedupeKey  string    `gorm:"size:200;not null;uniqueIndex:idx_webhook_events_key,priority:2"`
	ReceivedAt time.Time `gorm:"not null;index"`
}

// ReceiptEvent is a delivery, read or status event kept for the sending
// work to apply to deliveries.
type ReceiptEvent struct {
	ID         uint64     `gorm:"primaryKey"`
	ChannelID  uint       `gorm:"not null;index:idx_receipt_events_pending,priority:1"`
	Kind       string     `gorm:"size:16;not null"` // delivery | read | status
	UserID     string     `gorm:"size:64;not null;default:''"`
	MessageID  string     `gorm:"size:200;not null;default:'';index"`
	MessageIDs string     `gorm:"not null;default:''"` // space-separated (Messenger delivery mids)
	Watermark  *time.Time // Messenger / Instagram: everything before it
	Status     string     `gorm:"size:16;not null;default:''"`
	ErrorCode  int        `gorm:"not null;default:0"`
	ErrorTitle string     `gorm:"size:255;not null;default:''"`
	OccurredAt time.Time  `gorm:"not null"`
	Applied    bool       `gorm:"not null;default:false;index:idx_receipt_events_pending,priority:2"`
	CreatedAt  time.Time
}
