package models

import (
	"fmt"

	"gorm.io/gorm"
)

// migrate0018 adds deliveries.parts_sent: how many parts of a Messenger
// message (one request per part) went out before a retryable failure, so
// the retry starts after them and nobody gets a part twice.
func migrate0018(tx *gorm.DB) error {
	if err := tx.Exec("ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0").Error; err != nil {
		return fmt.Errorf("models: migrate 0018: %w", err)
	}
	return nil
}
