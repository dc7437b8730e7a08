package models

import (
	"fmt"

	"gorm.io/gorm"
)

// migrate0023 indexes deliveries by send and read time within a
// broadcast, so the report's timeline (sends and reads per minute over
// at most TimelineMaxMinutes) reads only the rows of its window.
func migrate0023(tx *gorm.DB) error {
	for _, q := range []string{
		"CREATE INDEX idx_deliveries_broadcast_sent_at ON deliveries (broadcast_id, sent_at) WHERE sent_at IS NOT NULL",
		"CREATE INDEX idx_deliveries_broadcast_read_at ON deliveries (broadcast_id, read_at) WHERE read_at IS NOT NULL",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("models: migrate 0023: %w", err)
		}
	}
	return nil
}
