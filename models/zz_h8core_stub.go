package models

// STAND-IN for the rest of helper core's contract (DESIGN-ISSUE8.md, branch h8-core):
// the composer screens are built against these names until h8-core lands.
// (ConfirmationFigures, ConfirmBroadcast). DELETE THIS FILE when core
// adds them; nothing here is the real rule set.

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// Figures are the confirmation's numbers.
type Figures struct {
	Audience         int64
	Sendable         int64
	Skipped          map[string]int64
	LineQuotaNeeded  int64
	LineQuotaRemain  *int64
	Multicast        bool
	EstimatedSeconds int64
}

// ConfirmationFigures counts the audience (stand-in: everyone sendable).
func ConfirmationFigures(db *gorm.DB, b *Broadcast, quota func() (int64, bool), now time.Time) (Figures, error) {
	f := Figures{Skipped: map[string]int64{}}
	if b.AudienceID != nil {
		a, err := FindAudience(db, *b.AudienceID)
		if err != nil {
			return f, err
		}
		f.Audience, f.Sendable = a.Count, a.Count
	}
	f.LineQuotaNeeded = f.Sendable
	if quota != nil {
		if r, ok := quota(); ok {
			f.LineQuotaRemain = &r
		}
	}
	return f, nil
}

// ConfirmBroadcast confirms a draft (stand-in).
func ConfirmBroadcast(db *gorm.DB, id uint, version int, who Actor, now time.Time) (*Broadcast, []FieldError, error) {
	b, err := FindBroadcast(db, id)
	if err != nil {
		return nil, nil, err
	}
	if b.Version != version {
		return nil, nil, ErrBroadcastStale
	}
	moved, err := MoveBroadcast(db, id, []string{BroadcastDraft}, BroadcastScheduled, map[string]any{"confirmed_by": who.UserID, "confirmed_at": now.UTC()}, who, now)
	if err != nil {
		return nil, nil, err
	}
	if !moved {
		return nil, nil, errors.New("error.broadcast_state")
	}
	b, err = FindBroadcast(db, id)
	return b, nil, err
}
