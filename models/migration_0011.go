package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrate0011 adds API tokens. The secret's hash is unique: it is how a
// request finds its token.
func migrate0011(tx *gorm.DB) error {
	type APIToken struct {
		ID         uint   `gorm:"primaryKey"`
		Name       string `gorm:"size:100;not null"`
		Hash       string `gorm:"size:64;not null;uniqueIndex"`
		Prefix     string `gorm:"size:16;not null"`
		UserID     uint   `gorm:"not null;index"`
		CreatedBy  *uint
		CreatedAt  time.Time
		LastUsedAt *time.Time
		RevokedAt  *time.Time
	}
	if err := tx.Table("api_tokens").AutoMigrate(&APIToken{}); err != nil {
		return fmt.Errorf("models: migrate 0011: %w", err)
	}
	return nil
}
