package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrate0014 completes the channels' tag lock (see tag_lock.go): the
// reason column of 0002 is renamed tag_lock_reason, and the lock keeps the
// offending text, when it was set and by whom. Existing locks (none were
// ever set before this) keep their reason.
func migrate0014(tx *gorm.DB) error {
	type Channel struct {
		TagLockReason string     `gorm:"size:255;not null;default:''"`
		TagLockText   string     `gorm:"not null;default:''"`
		TagLockedAt   *time.Time `gorm:""`
		TagLockedBy   *uint      `gorm:""`
	}
	m := tx.Migrator()
	if err := m.RenameColumn("channels", "lock_reason", "tag_lock_reason"); err != nil {
		return fmt.Errorf("models: migrate 0014: rename lock_reason: %w", err)
	}
	for _, col := range []string{"TagLockText", "TagLockedAt", "TagLockedBy"} {
		if err := m.AddColumn(&Channel{}, col); err != nil {
			return fmt.Errorf("models: migrate 0014: add %s: %w", col, err)
		}
	}
	return nil
}
