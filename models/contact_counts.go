package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ContactCount is a share of one channel's contact totals. Triggers on
// contacts (migration 0007) write them: on SQLite one row per channel
// (unique), upserted per changed contact; on PostgreSQL one delta row per
// write statement, which CountChannelContacts folds from time to time. A
// channel's totals are the sum of its rows.
type ContactCount struct {
	ID           uint64 `gorm:"primaryKey"`
	ChannelID    uint   `gorm:"not null;index"`
	Subscribed   int64  `gorm:"not null;default:0"`
	Unsubscribed int64  `gorm:"not null;default:0"`
	CreatedAt    time.Time
}

// ChannelContactCounts are an account's totals.
type ChannelContactCounts struct {
	Subscribed   int64
	Unsubscribed int64
}

// foldAbove is how many delta rows a channel may gather before a reader
// folds them into one: summing a few dozen rows costs nothing, and folding
// is one statement.
const foldAbove = 64

// CountChannelContacts returns a channel's totals by subscription status,
// from the maintained figures: no contact is read, whatever their number.
// It folds the channel's delta rows when they have piled up.
func CountChannelContacts(db *gorm.DB, channelID uint) (ChannelContactCounts, error) {
	return channelTotals(db, channelID, true)
}

// channelTotals sums a channel's rows of contact_counts; with fold, many
// rows are folded into one afterwards (fold writes: not in a read-only
// transaction).
func channelTotals(db *gorm.DB, channelID uint, fold bool) (ChannelContactCounts, error) {
	var row struct {
		Subscribed, Unsubscribed, Parts int64
	}
	err := db.Model(&ContactCount{}).
		Select("COALESCE(SUM(subscribed), 0) AS subscribed, COALESCE(SUM(unsubscribed), 0) AS unsubscribed, COUNT(*) AS parts").
		Where("channel_id = ?", channelID).Scan(&row).Error
	if err != nil {
		return ChannelContactCounts{}, fmt.Errorf("models: count contacts of channel %d: %w", channelID, err)
	}
	if fold && row.Parts > foldAbove {
		if err := foldContactCounts(db, channelID); err != nil {
			return ChannelContactCounts{}, err
		}
	}
	return ChannelContactCounts{Subscribed: row.Subscribed, Unsubscribed: row.Unsubscribed}, nil
}

// foldContactCounts replaces a channel's delta rows (PostgreSQL) by their
// sum, in one statement: rows written meanwhile by other transactions are
// not visible to it and stay, so no change is lost or counted twice.
// SQLite keeps one row per channel and has nothing to fold.
func foldContactCounts(db *gorm.DB, channelID uint) error {
	if !IsPostgres(db) {
		return nil
	}
	err := db.Exec(`WITH gone AS (DELETE FROM contact_counts WHERE channel_id = ? RETURNING subscribed, unsubscribed)
 INSERT INTO contact_counts (channel_id, subscribed, unsubscribed, created_at)
 SELECT ?, SUM(subscribed), SUM(unsubscribed), now() FROM gone HAVING COUNT(*) > 0`, channelID, channelID).Error
	if err != nil {
		return fmt.Errorf("models: fold contact counts of channel %d: %w", channelID, err)
	}
	return nil
}
