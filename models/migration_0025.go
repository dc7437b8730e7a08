package models

import (
	"fmt"

	"gorm.io/gorm"
)

// migrate0025 adds what the report's "unsubscribed within 24 h" figure
// needs: deliveries.unsubscribed_at (set once, when the person
// unsubscribes or blocks within 24 hours of the message) and its
// maintained count on the broadcast.
func migrate0025(tx *gorm.DB) error {
	col := timestampColumn(tx)
	for _, q := range []string{
		"ALTER TABLE deliveries ADD COLUMN unsubscribed_at " + col,
		"ALTER TABLE broadcasts ADD COLUMN unsubscribed_count BIGINT NOT NULL DEFAULT 0",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("models: migrate 0025: %w", err)
		}
	}
	return nil
}
