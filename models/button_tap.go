package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
)

// ButtonTap is one tap on a bot module's reply button or quick-reply
// option, from a person, answering a broadcast.
type ButtonTap struct {
	ID          uint64 `gorm:"primaryKey"`
	BroadcastID uint   `gorm:"not null"`
	ModuleID    uint   `gorm:"not null"`
	Button      int    `gorm:"not null"` // channels.Card.TapTargets index
	ContactID   uint64 `gorm:"not null"`
	At          time.Time
	// Action is a WhatsApp template button's action (channels.Action*),
	// run once by the background work: ActionState says how far (see
	// TapPending), ActionDetail why it did not run.
	Action       string `gorm:"size:16;not null;default:''"`
	ActionState  string `gorm:"size:12;not null;default:''"`
	ActionAt     *time.Time
	ActionDetail string `gorm:"size:500;not null;default:''"`
}

// RecordTap records a tap from contact contactID at time at, inside the
// webhook event's transaction tx, and tells whether it counted. A tap is
// counted only when it answers a broadcast that person was in (a
// delivery row exists): test sends (broadcast 0) never count, and a
// payload copied to someone else counts nothing. The person's delivery
// gets clicked_at on their first tap, and the broadcast's clicked_count
// goes up once per delivery, in the same transaction.
func RecordTap(tx *gorm.DB, contactID uint64, tap channels.TapPayload, at time.Time) (bool, error) {
	if tap.BroadcastID == 0 || contactID == 0 {
		return false, nil
	}
	var deliveries int64
	err := tx.Model(&Delivery{}).Where("broadcast_id = ? AND contact_id = ?", tap.BroadcastID, contactID).Count(&deliveries).Error
	if err != nil {
		return false, fmt.Errorf("models: tap on broadcast %d: %w", tap.BroadcastID, err)
	}
	if deliveries == 0 {
		return false, nil
	}
	at = at.UTC()
	row := ButtonTap{BroadcastID: tap.BroadcastID, ModuleID: tap.ModuleID, Button: tap.Button, ContactID: contactID, At: at,
		Action: tap.Action, ActionState: tapActionState(tap.Action)}
	if err := tx.Create(&row).Error; err != nil {
		return false, fmt.Errorf("models: record tap on broadcast %d: %w", tap.BroadcastID, err)
	}
	res := tx.Model(&Delivery{}).
		Where("broadcast_id = ? AND contact_id = ? AND clicked_at IS NULL", tap.BroadcastID, contactID).
		Updates(map[string]any{"clicked_at": at, "updated_at": at})
	if res.Error != nil {
		return false, fmt.Errorf("models: mark delivery clicked: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		err := tx.Model(&Broadcast{}).Where("id = ?", tap.BroadcastID).
			Update("clicked_count", gorm.Expr("clicked_count + 1")).Error
		if err != nil {
			return false, fmt.Errorf("models: count click on broadcast %d: %w", tap.BroadcastID, err)
		}
	}
	return true, nil
}

// TapCount is the number of taps on one button of a broadcast's module.
type TapCount struct {
	ModuleID uint
	Button   int
	Taps     int64
	People   int64
}

// CountTaps returns the taps of a broadcast per module and button, for
// the report.
func CountTaps(db *gorm.DB, broadcastID uint) ([]TapCount, error) {
	var out []TapCount
	err := db.Model(&ButtonTap{}).
		Select("module_id, button, COUNT(*) AS taps, COUNT(DISTINCT contact_id) AS people").
		Where("broadcast_id = ?", broadcastID).Group("module_id, button").Order("module_id, button").
		Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: count taps of broadcast %d: %w", broadcastID, err)
	}
	return out, nil
}
