package models

import (
	"fmt"

	"gorm.io/gorm"
)

// migrate0024 indexes the report's recipients table: all of a
// broadcast's deliveries in id order (the (broadcast_id, state, id) index
// orders by state first), and the few clicked and replied rows, which a
// filtered scan of the sent rows would otherwise look for among a
// million. The partial indexes hold only rows with a click or a reply.
func migrate0024(tx *gorm.DB) error {
	for _, q := range []string{
		"CREATE INDEX idx_deliveries_broadcast_id ON deliveries (broadcast_id, id)",
		"CREATE INDEX idx_deliveries_clicked ON deliveries (broadcast_id, id) WHERE clicked_at IS NOT NULL",
		"CREATE INDEX idx_deliveries_replied ON deliveries (broadcast_id, id) WHERE replied_at IS NOT NULL",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("models: migrate 0024: %w", err)
		}
	}
	return nil
}
