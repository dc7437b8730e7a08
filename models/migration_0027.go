package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrate0027 adds delivery_batches: a LINE multicast request is claimed
// as one row (its people are the broadcast's deliveries in an id range,
// its retry key and lease are the batch's), so claiming 500 people writes
// one small row instead of 500 delivery rows. A delivery row is written
// once more only when the platform has answered.
//
// The index of waiting multicast rows (0021) and deliveries.batch_id go:
// batches, and those that wait for a retry, are found in
// delivery_batches.
func migrate0027(tx *gorm.DB) error {
	type DeliveryBatch struct {
		ID          uint64 `gorm:"primaryKey"`
		BroadcastID uint   `gorm:"not null;uniqueIndex:idx_delivery_batches_frontier,priority:1"`
		// FirstID..LastID: the range of delivery ids of the broadcast it
		// covers. Ranges follow one another (each starts after the last
		// one's end), so every delivery is in at most one batch.
		FirstID       uint64 `gorm:"not null"`
		LastID        uint64 `gorm:"not null;uniqueIndex:idx_delivery_batches_frontier,priority:2"`
		RetryKey      string `gorm:"size:36;not null"`
		State         string `gorm:"size:12;not null"`
		ClaimID       string `gorm:"size:40;not null;default:''"`
		LeaseUntil    *time.Time
		Attempts      int `gorm:"not null;default:0"`
		NextAttemptAt *time.Time
		UpdatedAt     time.Time
	}
	if err := tx.AutoMigrate(&DeliveryBatch{}); err != nil {
		return fmt.Errorf("models: migrate 0027: %w", err)
	}
	for _, q := range []string{
		"CREATE INDEX idx_delivery_batches_waiting ON delivery_batches (broadcast_id, id) WHERE state = 'pending'",
		"CREATE INDEX idx_delivery_batches_claimed_lease ON delivery_batches (lease_until) WHERE state = 'claimed'",
		"DROP INDEX idx_deliveries_pending_batch",
		"ALTER TABLE deliveries DROP COLUMN batch_id",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("models: migrate 0027: %w", err)
		}
	}
	return nil
}
