package models

import (
	"fmt"

	"gorm.io/gorm"
)

// ReasonCount is how many of a broadcast's deliveries ended failed,
// skipped or uncertain for one reason.
type ReasonCount struct {
	State  string
	Reason string
	N      int64
}

// BroadcastReasons groups a broadcast's failed, skipped and uncertain
// deliveries by reason, most first. It reads only those rows (through
// the broadcast/state index), never the sent ones.
func BroadcastReasons(db *gorm.DB, id uint) ([]ReasonCount, error) {
	var out []ReasonCount
	if err := db.Model(&Delivery{}).Select("state, reason, COUNT(*) AS n").
		Where("broadcast_id = ? AND state IN ?", id, []string{DeliveryFailed, DeliverySkipped, DeliveryUncertain}).
		Group("state, reason").Order("n DESC, state, reason").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: reasons of broadcast %d: %w", id, err)
	}
	return out, nil
}
