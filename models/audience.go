package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Audience is a saved selection of contacts to broadcast to: either
// explicit contact ids, or a filter (its query-string form) meaning "all
// contacts matching it", with the exact count when it was saved and the
// time zone its dates were read in (a "2026-11-01" read later in another
// zone would be another instant).
type Audience struct {
	ID          uint   `gorm:"primaryKey"`
	ChannelID   uint   `gorm:"not null;index"`
	Filter      string `gorm:"not null;default:''"` // query string; used when AllMatching
	AllMatching bool   `gorm:"not null;default:false"`
	ContactIDs  string `gorm:"not null;default:'[]'"` // JSON array; used when !AllMatching
	Count       int64  `gorm:"not null"`              // exact, never an estimate
	Timezone    string `gorm:"size:64;not null;default:''"`
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
	a := &Audience{ChannelID: f.ChannelID, Filter: f.Values().Encode(), AllMatching: allMatching, CreatedBy: userID, ContactIDs: "[]",
		Timezone: f.Location().String()}
	if allMatching {
		n, err := CountContacts(db, f, now)
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

// ContactFilter reads the audience's filter again, in the time zone it was
// saved in (the workspace zone of that moment; fallback when it was saved
// before zones were kept).
func (a *Audience) ContactFilter(fallback *time.Location) (ContactFilter, FieldErrors) {
	loc := fallback
	if a.Timezone != "" {
		if l, err := time.LoadLocation(a.Timezone); err == nil {
			loc = l
		}
	}
	q, _ := url.ParseQuery(a.Filter) // written by SaveAudience
	q.Set("channel", strconv.FormatUint(uint64(a.ChannelID), 10))
	return ParseContactFilter(q, loc)
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
