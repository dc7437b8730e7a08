package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrate0019 adds what receipt processing, tap actions, fresh profile
// names and the LINE quota refresh keep:
//
//   - receipt_events.apply_tries and apply_after: a receipt that names no
//     delivery yet (it overtook the recording of its send) is tried again
//     a few times before it is set aside; a partial index finds the
//     events still to apply without reading the applied ones;
//   - button_taps.action, action_state, action_at and action_detail: a
//     WhatsApp quick-reply tap's action (subscribe, unsubscribe, bot
//     reply) is run once per tap by the background work, and the row
//     says how it went;
//   - contacts.profile_name and profile_fetched_at: the name the platform
//     last gave for the person, cached for the name parameter;
//   - channel_quotas: each LINE channel's monthly quota as last read.
func migrate0019(tx *gorm.DB) error {
	type ReceiptEvent struct {
		ApplyTries int `gorm:"not null;default:0"`
		ApplyAfter *time.Time
	}
	type ButtonTap struct {
		Action       string `gorm:"size:16;not null;default:''"`
		ActionState  string `gorm:"size:12;not null;default:''"`
		ActionAt     *time.Time
		ActionDetail string `gorm:"size:500;not null;default:''"`
	}
	type Contact struct {
		ProfileName      string `gorm:"size:200;not null;default:''"`
		ProfileFetchedAt *time.Time
	}
	type ChannelQuota struct {
		ChannelID    uint      `gorm:"primaryKey;autoIncrement:false"`
		Unlimited    bool      `gorm:"not null;default:false"`
		MonthlyLimit int64     `gorm:"not null;default:0"`
		Used         int64     `gorm:"not null;default:0"`
		CheckedAt    time.Time `gorm:"not null"`
	}
	add := func(table string, model any, fields ...string) error {
		for _, f := range fields {
			if err := tx.Table(table).Migrator().AddColumn(model, f); err != nil {
				return fmt.Errorf("models: migrate 0019: %s.%s: %w", table, f, err)
			}
		}
		return nil
	}
	if err := add("receipt_events", &ReceiptEvent{}, "ApplyTries", "ApplyAfter"); err != nil {
		return err
	}
	if err := add("button_taps", &ButtonTap{}, "Action", "ActionState", "ActionAt", "ActionDetail"); err != nil {
		return err
	}
	if err := add("contacts", &Contact{}, "ProfileName", "ProfileFetchedAt"); err != nil {
		return err
	}
	if err := tx.Table("channel_quotas").AutoMigrate(&ChannelQuota{}); err != nil {
		return fmt.Errorf("models: migrate 0019: %w", err)
	}
	for _, stmt := range []string{
		"CREATE INDEX idx_receipt_events_unapplied ON receipt_events (id) WHERE applied = FALSE",
		"CREATE INDEX idx_button_taps_action_open ON button_taps (id) WHERE action_state IN ('pending', 'running')",
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return fmt.Errorf("models: migrate 0019: %w", err)
		}
	}
	return nil
}
