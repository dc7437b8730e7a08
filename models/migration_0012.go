package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrate0012 adds the bot builder's modules and the taps on their
// buttons. A tap row names the broadcast it answers, the module and the
// button's index (channels.Card.TapTargets), so the report counts taps
// per button of a broadcast from one index.
func migrate0012(tx *gorm.DB) error {
	type BotModule struct {
		ID        uint   `gorm:"primaryKey"`
		Name      string `gorm:"size:60;not null"`
		Kind      string `gorm:"size:16;not null"`
		Spec      string `gorm:"not null;default:'{}'"`
		CreatedBy uint   `gorm:"not null"`
		UpdatedBy uint   `gorm:"not null"`
		CreatedAt time.Time
		UpdatedAt time.Time `gorm:"index"`
	}
	type ButtonTap struct {
		ID          uint64    `gorm:"primaryKey"`
		BroadcastID uint      `gorm:"not null;index:idx_button_taps_broadcast,priority:1"`
		ModuleID    uint      `gorm:"not null;index:idx_button_taps_broadcast,priority:2"`
		Button      int       `gorm:"not null;index:idx_button_taps_broadcast,priority:3"`
		ContactID   uint64    `gorm:"not null;index"`
		At          time.Time `gorm:"not null"`
	}
	if err := tx.AutoMigrate(&BotModule{}, &ButtonTap{}); err != nil {
		return fmt.Errorf("models: migrate 0012: %w", err)
	}
	return nil
}
