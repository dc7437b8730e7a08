package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrate0017 adds rate_leases, the shares of a channel's rate limit held
// by the live instances sending on it (each takes limit ÷ live leases,
// renewed every second), and an index for reclaiming expired claims
// without reading every delivery.
func migrate0017(tx *gorm.DB) error {
	type RateLease struct {
		ChannelID uint      `gorm:"primaryKey;autoIncrement:false"`
		Lane      string    `gorm:"primaryKey;size:16"`
		Instance  string    `gorm:"primaryKey;size:128"`
		ExpiresAt time.Time `gorm:"not null"`
	}
	if err := tx.AutoMigrate(&RateLease{}); err != nil {
		return fmt.Errorf("models: migrate 0017: %w", err)
	}
	if err := tx.Exec("CREATE INDEX idx_deliveries_claimed_lease ON deliveries (lease_until) WHERE state = 'claimed'").Error; err != nil {
		return fmt.Errorf("models: migrate 0017: %w", err)
	}
	return nil
}
