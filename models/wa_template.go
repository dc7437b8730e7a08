package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// WATemplate is a WhatsApp message template as last synced from the
// platform. Only APPROVED ones may be sent.
type WATemplate struct {
	ID         uint   `gorm:"primaryKey"`
	ChannelID  uint   `gorm:"not null;uniqueIndex:idx_wa_templates_key,priority:1"`
	Name       string `gorm:"size:512;not null;uniqueIndex:idx_wa_templates_key,priority:2"`
	Language   string `gorm:"size:16;not null;uniqueIndex:idx_wa_templates_key,priority:3"`
	ExternalID string `gorm:"size:64;not null;default:''"`
	Category   string `gorm:"size:32;not null;default:''"`
	Status     string `gorm:"size:32;not null;default:''"`
	// Components is the platform's components array, as JSON.
	Components string `gorm:"not null;default:'[]'"`
	SyncedAt   time.Time
}

// TableName keeps the table name readable.
func (WATemplate) TableName() string { return "wa_templates" }

// Approved tells whether the template may be sent.
func (t WATemplate) Approved() bool { return t.Status == "APPROVED" }

// ReplaceWATemplates makes the stored templates of a channel equal to the
// platform's list: upserts each, deletes those the platform no longer has.
func ReplaceWATemplates(db *gorm.DB, channelID uint, list []WATemplate, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		keep := make([]uint, 0, len(list))
		for _, t := range list {
			t.ID, t.ChannelID, t.SyncedAt = 0, channelID, now.UTC()
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "channel_id"}, {Name: "name"}, {Name: "language"}},
				DoUpdates: clause.AssignmentColumns([]string{"external_id", "category", "status", "components", "synced_at"}),
			}).Create(&t).Error
			if err != nil {
				return fmt.Errorf("models: save template %s/%s: %w", t.Name, t.Language, err)
			}
			var id uint
			if err := tx.Model(&WATemplate{}).Where("channel_id = ? AND name = ? AND language = ?", channelID, t.Name, t.Language).Pluck("id", &id).Error; err != nil {
				return err
			}
			keep = append(keep, id)
		}
		q := tx.Where("channel_id = ?", channelID)
		if len(keep) > 0 {
			q = q.Where("id NOT IN ?", keep)
		}
		if err := q.Delete(&WATemplate{}).Error; err != nil {
			return fmt.Errorf("models: prune templates of channel %d: %w", channelID, err)
		}
		return nil
	})
}

// ListWATemplates returns a channel's templates by name and language.
func ListWATemplates(db *gorm.DB, channelID uint) ([]WATemplate, error) {
	var list []WATemplate
	if err := db.Where("channel_id = ?", channelID).Order("name, language").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("models: list templates of channel %d: %w", channelID, err)
	}
	return list, nil
}
