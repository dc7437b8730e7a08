package models

import (
	"fmt"

	"gorm.io/gorm"
)

// FindChannelsByExternalID returns the channels of kind connected to the
// platform account externalID (Page id, Instagram account id, phone number
// id), oldest first; usually one. An id that no channel can have (too
// long, NUL bytes, broken UTF-8: it may come from a webhook) finds none
// without asking the database.
func FindChannelsByExternalID(db *gorm.DB, kind, externalID string) ([]Channel, error) {
	if externalID == "" || checkID("external id", externalID, externalIDMax) != nil {
		return nil, nil
	}
	var list []Channel
	if err := db.Where("kind = ? AND external_id = ?", kind, externalID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("models: find %s channels of account %q: %w", kind, externalID, err)
	}
	return list, nil
}
