package models

import (
	"fmt"

	"gorm.io/gorm"
)

// UserNames maps the given user ids to their names, reading only those
// users (the audit trail names a handful, whatever the staff size).
func UserNames(db *gorm.DB, ids []uint) (map[uint]string, error) {
	out := make(map[uint]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   uint
		Name string
	}
	if err := db.Model(&User{}).Select("id, name").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: names of %d users: %w", len(ids), err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}
