package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migrate0013 adds uploads: one row per distinct image (by the SHA-256 of
// its bytes), and the bytes of images and previews in upload_blobs, so
// that every instance serves every upload.
func migrate0013(tx *gorm.DB) error {
	type Upload struct {
		ID           uint   `gorm:"primaryKey"`
		Hash         string `gorm:"size:64;not null;uniqueIndex"`
		ContentType  string `gorm:"size:32;not null"`
		Width        int    `gorm:"not null"`
		Height       int    `gorm:"not null"`
		Bytes        int64  `gorm:"not null"`
		PreviewHash  string `gorm:"size:64;not null"`
		PreviewBytes int64  `gorm:"not null"`
		CreatedBy    uint   `gorm:"not null"`
		CreatedAt    time.Time
	}
	type UploadBlob struct {
		Hash string `gorm:"primaryKey;size:64"`
		Data []byte `gorm:"not null"`
	}
	if err := tx.AutoMigrate(&Upload{}, &UploadBlob{}); err != nil {
		return fmt.Errorf("models: migrate 0013: %w", err)
	}
	return nil
}
