package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ChannelQuota is a LINE channel's monthly message quota as the periodic
// refresh last read it, so that every instance (and the confirmation)
// has a recent figure without asking LINE on each page load.
type ChannelQuota struct {
	ChannelID    uint      `gorm:"primaryKey;autoIncrement:false"`
	Unlimited    bool      `gorm:"not null;default:false"`
	MonthlyLimit int64     `gorm:"not null;default:0"`
	Used         int64     `gorm:"not null;default:0"`
	CheckedAt    time.Time `gorm:"not null"`
}

// TableName names the table (GORM would say channel_quota).
func (ChannelQuota) TableName() string { return "channel_quotas" }

// Remaining is what is left of the month's quota (never negative).
func (q ChannelQuota) Remaining() int64 { return max(q.MonthlyLimit-q.Used, 0) }

// LineQuota is the figure the confirmation plans with.
func (q ChannelQuota) LineQuota() LineQuota {
	return LineQuota{Remaining: q.Remaining(), Unlimited: q.Unlimited}
}

// StoreChannelQuota records a channel's quota as read at q.CheckedAt; an
// older reading never replaces a newer one (two instances refreshing).
func StoreChannelQuota(db *gorm.DB, q ChannelQuota) error {
	q.CheckedAt = q.CheckedAt.UTC()
	err := db.Exec("INSERT INTO channel_quotas (channel_id, unlimited, monthly_limit, used, checked_at) VALUES (?, ?, ?, ?, ?)"+
		" ON CONFLICT (channel_id) DO UPDATE SET unlimited = excluded.unlimited, monthly_limit = excluded.monthly_limit,"+
		" used = excluded.used, checked_at = excluded.checked_at WHERE channel_quotas.checked_at < excluded.checked_at",
		q.ChannelID, q.Unlimited, q.MonthlyLimit, q.Used, q.CheckedAt).Error
	if err != nil {
		return fmt.Errorf("models: store the quota of channel %d: %w", q.ChannelID, err)
	}
	return nil
}

// StoredChannelQuota returns a channel's last stored quota; ok is false
// when none was read yet or it is older than maxAge (0: any age).
func StoredChannelQuota(db *gorm.DB, channelID uint, maxAge time.Duration, now time.Time) (ChannelQuota, bool, error) {
	var q ChannelQuota
	err := db.Where("channel_id = ?", channelID).Take(&q).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ChannelQuota{}, false, nil
	}
	if err != nil {
		return ChannelQuota{}, false, fmt.Errorf("models: read the quota of channel %d: %w", channelID, err)
	}
	if maxAge > 0 && now.Sub(q.CheckedAt) > maxAge {
		return q, false, nil
	}
	return q, true, nil
}

// DropOrphanQuotas removes the quotas of channels that are gone.
func DropOrphanQuotas(db *gorm.DB) error {
	if err := db.Exec("DELETE FROM channel_quotas WHERE channel_id NOT IN (SELECT id FROM channels)").Error; err != nil {
		return fmt.Errorf("models: drop quotas of deleted channels: %w", err)
	}
	return nil
}
