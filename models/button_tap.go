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
	if err := countClick(tx, row); err != nil {
		return false, err
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

// countClick adds a tap to its button's counts (button_clicks), and a
// person once per button (button_clickers: the insert of their first tap
// is the only one that lands, however many arrive at once).
func countClick(tx *gorm.DB, t ButtonTap) error {
	res := tx.Exec("INSERT INTO button_clickers (broadcast_id, module_id, button, contact_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
		t.BroadcastID, t.ModuleID, t.Button, t.ContactID)
	if res.Error != nil {
		return fmt.Errorf("models: count the person of a tap on broadcast %d: %w", t.BroadcastID, res.Error)
	}
	err := tx.Exec("INSERT INTO button_clicks (broadcast_id, module_id, button, taps, people) VALUES (?, ?, ?, 1, ?)"+
		" ON CONFLICT (broadcast_id, module_id, button) DO UPDATE SET taps = button_clicks.taps + 1, people = button_clicks.people + excluded.people",
		t.BroadcastID, t.ModuleID, t.Button, res.RowsAffected).Error
	if err != nil {
		return fmt.Errorf("models: count a tap on broadcast %d: %w", t.BroadcastID, err)
	}
	return nil
}

// TapCount is the number of taps on one button of a broadcast's module,
// and of the people who tapped it.
type TapCount struct {
	ModuleID uint
	Button   int
	Taps     int64
	People   int64
}

// CountTaps returns the taps of a broadcast per module and button, for
// the report: the counts RecordTap keeps (a few rows, whatever the
// number of taps).
func CountTaps(db *gorm.DB, broadcastID uint) ([]TapCount, error) {
	var out []TapCount
	err := db.Table("button_clicks").Select("module_id, button, taps, people").
		Where("broadcast_id = ?", broadcastID).Order("module_id, button").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: count taps of broadcast %d: %w", broadcastID, err)
	}
	return out, nil
}
