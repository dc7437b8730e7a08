package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Audience is a saved selection of contacts to broadcast to: either
// explicit contact ids, or a filter (its query-string form) meaning "all
// contacts matching it", with the count seen when it was saved.
type Audience struct {
	ID          uint   `gorm:"primaryKey"`
	ChannelID   uint   `gorm:"not null;index"`
	Filter      string `gorm:"not null;default:''"` // query string; used when AllMatching
	AllMatching bool   `gorm:"not null;default:false"`
	ContactIDs  string `gorm:"not null;default:'[]'"` // JSON array; used when !AllMatching
	Count       int64  `gorm:"not null"`
	CreatedBy   uint   `gorm:"not null"`
	CreatedAt   time.Time
}

// ErrAudienceEmpty is returned when nothing was selected.
var ErrAudienceEmpty = errors.New("error.audience_empty")

// IDs returns the explicit contact ids of the audience.
func (a *Audience) IDs() []uint64 {
	var ids []uint64
	_ = json.Unmarshal([]byte(a.ContactIDs), &ids)
	return ids
}

// SaveAudience stores a selection. For explicit ids only contacts of the
// channel count; for an all-matching selection the count is the filter's
// count at this moment.
func SaveAudience(db *gorm.DB, f ContactFilter, ids []uint64, allMatching bool, userID uint, now time.Time) (*Audience, error) {
	a := &Audience{ChannelID: f.ChannelID, Filter: f.Values().Encode(), AllMatching: allMatching, CreatedBy: userID, ContactIDs: "[]"}
	if allMatching {
		n, _, err := CountContacts(db, f, now)
		if err != nil {
			return nil, err
		}
		a.Count = n
	} else {
		valid, err := ContactIDsOfChannel(db, f.ChannelID, ids)
		if err != nil {
			return nil, err
		}
		raw, _ := json.Marshal(valid)
		a.ContactIDs, a.Count = string(raw), int64(len(valid))
	}
	if a.Count == 0 {
		return nil, ErrAudienceEmpty
	}
	if err := db.Create(a).Error; err != nil {
		return nil, fmt.Errorf("models: save audience: %w", err)
	}
	return a, nil
}

// FindAudience loads an audience by id.
func FindAudience(db *gorm.DB, id uint) (*Audience, error) {
	var a Audience
	err := db.First(&a, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load audience %d: %w", id, err)
	}
	return &a, nil
}
