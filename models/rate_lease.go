package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Rate lanes of a channel: LINE multicast is limited apart from push.
const (
	LanePush      = "push"
	LaneMulticast = "multicast"
)

// RateLease is one instance's share of a channel's rate limit in one
// lane, held until ExpiresAt and renewed while it sends.
type RateLease struct {
	ChannelID uint   `gorm:"primaryKey;autoIncrement:false"`
	Lane      string `gorm:"primaryKey;size:16"`
	Instance  string `gorm:"primaryKey;size:128"`
	ExpiresAt time.Time
}

// LeaseRateShare renews instance's lease on the channel's lane until
// now+ttl and returns how many instances hold a live lease on it (this
// one included): each sends at limit ÷ that number.
func LeaseRateShare(db *gorm.DB, channelID uint, lane, instance string, ttl time.Duration, now time.Time) (int64, error) {
	now = now.UTC()
	var live int64
	err := db.Transaction(func(tx *gorm.DB) error {
		l := RateLease{ChannelID: channelID, Lane: lane, Instance: instance, ExpiresAt: now.Add(ttl)}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "channel_id"}, {Name: "lane"}, {Name: "instance"}},
			DoUpdates: clause.AssignmentColumns([]string{"expires_at"}),
		}).Create(&l).Error; err != nil {
			return err
		}
		if err := tx.Where("channel_id = ? AND lane = ? AND expires_at < ?", channelID, lane, now.Add(-time.Minute)).
			Delete(&RateLease{}).Error; err != nil {
			return err
		}
		return tx.Model(&RateLease{}).Where("channel_id = ? AND lane = ? AND expires_at > ?", channelID, lane, now).Count(&live).Error
	})
	if err != nil {
		return 0, fmt.Errorf("models: lease a rate share of channel %d: %w", channelID, err)
	}
	return max(live, 1), nil
}

// ReleaseRateShare gives up instance's leases on a channel, so the others
// take its share at their next renewal.
func ReleaseRateShare(db *gorm.DB, channelID uint, instance string) error {
	if err := db.Where("channel_id = ? AND instance = ?", channelID, instance).Delete(&RateLease{}).Error; err != nil {
		return fmt.Errorf("models: release the rate shares of channel %d: %w", channelID, err)
	}
	return nil
}
