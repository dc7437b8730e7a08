package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrate0010 adds broadcasts, their deliveries (one row per person of the
// frozen audience), the audit trail, and the channels' test lists
// (contacts.tester). Deliveries are indexed for what the dispatcher and
// the report ask: a broadcast's rows by state in id order (claims, the
// recipients table), and a sent message by the platform's id (receipts).
func migrate0010(tx *gorm.DB) error {
	type Broadcast struct {
		ID               uint       `gorm:"primaryKey"`
		ChannelID        uint       `gorm:"not null;index"`
		Subject          string     `gorm:"size:100;not null"`
		MessageTag       string     `gorm:"size:32;not null;default:''"`
		SendNow          bool       `gorm:"not null;default:false"`
		ScheduledAt      *time.Time `gorm:"index"`
		Status           string     `gorm:"size:16;not null;index"`
		ApplyTags        string     `gorm:"not null;default:'[]'"`
		Content          string     `gorm:"not null;default:'{}'"`
		SentContent      string     `gorm:"not null;default:''"`
		AudienceID       *uint      `gorm:"index"`
		AudienceFilter   string     `gorm:"not null;default:''"`
		AudienceTimezone string     `gorm:"size:64;not null;default:''"`
		AudienceAll      bool       `gorm:"not null;default:false"`
		Method           string     `gorm:"size:8;not null;default:'manual'"`
		CreatedBy        uint       `gorm:"not null"`
		UpdatedBy        uint       `gorm:"not null"`
		ConfirmedBy      *uint
		ConfirmedAt      *time.Time
		StartedAt        *time.Time
		FinishedAt       *time.Time
		Version          int    `gorm:"not null;default:1"`
		PauseReason      string `gorm:"size:500;not null;default:''"`
		AudienceCount    int64  `gorm:"not null;default:0"`
		FrozenCount      int64  `gorm:"not null;default:0"`
		PendingCount     int64  `gorm:"not null;default:0"`
		SentCount        int64  `gorm:"not null;default:0"`
		DeliveredCount   int64  `gorm:"not null;default:0"`
		ReadCount        int64  `gorm:"not null;default:0"`
		FailedCount      int64  `gorm:"not null;default:0"`
		SkippedCount     int64  `gorm:"not null;default:0"`
		UncertainCount   int64  `gorm:"not null;default:0"`
		ClickedCount     int64  `gorm:"not null;default:0"`
		RepliedCount     int64  `gorm:"not null;default:0"`
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	type Delivery struct {
		ID                uint64 `gorm:"primaryKey"`
		BroadcastID       uint   `gorm:"not null;uniqueIndex:idx_deliveries_broadcast_contact,priority:1"`
		ContactID         uint64 `gorm:"not null;uniqueIndex:idx_deliveries_broadcast_contact,priority:2;index"`
		State             string `gorm:"size:12;not null"`
		Attempts          int    `gorm:"not null;default:0"`
		LeaseUntil        *time.Time
		ClaimID           string `gorm:"size:40;not null;default:''"`
		BatchID           *uint64
		RetryKey          string `gorm:"size:36;not null;default:''"`
		NextAttemptAt     *time.Time
		ProviderMessageID string `gorm:"size:200;not null;default:''"`
		Reason            string `gorm:"size:32;not null;default:''"`
		Detail            string `gorm:"size:500;not null;default:''"`
		SentAt            *time.Time
		DeliveredAt       *time.Time
		ReadAt            *time.Time
		ClickedAt         *time.Time
		RepliedAt         *time.Time
		UpdatedAt         time.Time
	}
	type AuditEntry struct {
		ID          uint64 `gorm:"primaryKey"`
		BroadcastID *uint  `gorm:"index"`
		ChannelID   *uint  `gorm:"index"`
		UserID      *uint
		TokenID     *uint
		Action      string    `gorm:"size:40;not null"`
		Diff        string    `gorm:"not null;default:'{}'"`
		At          time.Time `gorm:"not null;index"`
	}
	if err := tx.AutoMigrate(&Broadcast{}, &Delivery{}, &AuditEntry{}); err != nil {
		return fmt.Errorf("models: migrate 0010: %w", err)
	}
	for _, stmt := range []string{
		"CREATE INDEX idx_deliveries_broadcast_state ON deliveries (broadcast_id, state, id)",
		"CREATE INDEX idx_deliveries_provider_message ON deliveries (provider_message_id)",
		"ALTER TABLE contacts ADD COLUMN tester BOOLEAN NOT NULL DEFAULT FALSE",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return fmt.Errorf("models: migrate 0010: %w", err)
		}
	}
	return nil
}
