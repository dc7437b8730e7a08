package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// SkipCancelled marks the deliveries a cancelled broadcast never tried.
const SkipCancelled = "cancelled"

// CanControl tells whether user may pause, resume or cancel broadcast b:
// its creator or an admin.
func CanControl(b *Broadcast, u *User) bool {
	return u != nil && (u.IsAdmin() || b.CreatedBy == u.ID)
}

// controlled loads broadcast id for a staff action by u.
func controlled(db *gorm.DB, id uint, u *User) (*Broadcast, error) {
	b, err := FindBroadcast(db, id)
	if err != nil {
		return nil, err
	}
	if !CanControl(b, u) {
		return nil, ErrBroadcastForbidden
	}
	return b, nil
}

// PauseBroadcast pauses a sending broadcast: from the next claim on (the
// dispatcher claims only for sending broadcasts) no new request starts;
// those already started finish and are recorded.
func PauseBroadcast(db *gorm.DB, id uint, u *User, who Actor, now time.Time) (*Broadcast, error) {
	if _, err := controlled(db, id, u); err != nil {
		return nil, err
	}
	moved, err := MoveBroadcast(db, id, []string{BroadcastSending}, BroadcastPaused, map[string]any{"pause_reason": ""}, who, now)
	if err != nil {
		return nil, err
	}
	if !moved {
		return nil, ErrBroadcastState
	}
	return FindBroadcast(db, id)
}

// ResumeBroadcast resumes a paused broadcast (paused by staff, by the
// circuit breaker or by a token error): every remaining person gets it
// once, because the deliveries' states say who is left.
func ResumeBroadcast(db *gorm.DB, id uint, u *User, who Actor, now time.Time) (*Broadcast, error) {
	if _, err := controlled(db, id, u); err != nil {
		return nil, err
	}
	moved, err := MoveBroadcast(db, id, []string{BroadcastPaused}, BroadcastSending, map[string]any{"pause_reason": ""}, who, now)
	if err != nil {
		return nil, err
	}
	if !moved {
		return nil, ErrBroadcastState
	}
	return FindBroadcast(db, id)
}

// CancelBroadcast cancels a broadcast not yet done. A sending or paused
// one stops: its untried deliveries become skipped (cancelled), so the
// report's counts add up; requests already started are recorded as they
// answer. A missed one is cancelled like a scheduled one.
func CancelBroadcast(db *gorm.DB, id uint, u *User, who Actor, now time.Time) (*Broadcast, error) {
	if _, err := controlled(db, id, u); err != nil {
		return nil, err
	}
	from := []string{BroadcastDraft, BroadcastPreparing, BroadcastScheduled, BroadcastMissed, BroadcastSending, BroadcastPaused}
	err := db.Transaction(func(tx *gorm.DB) error {
		moved, err := moveBroadcast(tx, id, from, BroadcastCancelled, map[string]any{"finished_at": now.UTC()}, now)
		if err != nil {
			return err
		}
		if !moved {
			return ErrBroadcastState
		}
		res := tx.Exec("UPDATE deliveries SET state = ?, reason = ?, updated_at = ? WHERE broadcast_id = ? AND state = ?",
			DeliverySkipped, SkipCancelled, now.UTC(), id, DeliveryPending)
		if res.Error != nil {
			return fmt.Errorf("models: cancel deliveries of broadcast %d: %w", id, res.Error)
		}
		if res.RowsAffected > 0 {
			if err := tx.Model(&Broadcast{}).Where("id = ?", id).Updates(map[string]any{
				"pending_count": gorm.Expr("pending_count - ?", res.RowsAffected),
				"skipped_count": gorm.Expr("skipped_count + ?", res.RowsAffected),
			}).Error; err != nil {
				return fmt.Errorf("models: count cancelled deliveries of broadcast %d: %w", id, err)
			}
		}
		return Audit(tx, who, AuditEntry{BroadcastID: &id, Action: "status:" + BroadcastCancelled}, now)
	})
	if err != nil {
		return nil, err
	}
	return FindBroadcast(db, id)
}

// PauseChannelBroadcasts pauses every sending broadcast of a channel by
// omnicast's own decision (the circuit breaker, a token error), with the
// reason staff see; resuming is theirs. It returns the ids paused.
func PauseChannelBroadcasts(db *gorm.DB, channelID uint, reason string, now time.Time) ([]uint, error) {
	var ids []uint
	if err := db.Model(&Broadcast{}).Where("channel_id = ? AND status = ?", channelID, BroadcastSending).
		Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: list sending broadcasts of channel %d: %w", channelID, err)
	}
	var paused []uint
	for _, id := range ids {
		moved, err := MoveBroadcast(db, id, []string{BroadcastSending}, BroadcastPaused,
			map[string]any{"pause_reason": TruncateRunes(reason, 500)}, Actor{}, now)
		if err != nil {
			return paused, err
		}
		if moved {
			paused = append(paused, id)
		}
	}
	return paused, nil
}

// BroadcastCounts are the status API's counts.
type BroadcastCounts struct {
	Audience  int64 `json:"audience"`
	Pending   int64 `json:"pending"`
	Sent      int64 `json:"sent"`
	Delivered int64 `json:"delivered"`
	Read      int64 `json:"read"`
	Failed    int64 `json:"failed"`
	Skipped   int64 `json:"skipped"`
	Uncertain int64 `json:"uncertain"`
}

// Counts are the broadcast's maintained counters.
func (b *Broadcast) Counts() BroadcastCounts {
	return BroadcastCounts{Audience: b.AudienceCount, Pending: b.PendingCount, Sent: b.SentCount, Delivered: b.DeliveredCount,
		Read: b.ReadCount, Failed: b.FailedCount, Skipped: b.SkippedCount, Uncertain: b.UncertainCount}
}

// PauseFor pauses one sending broadcast by omnicast's own decision, with
// the reason staff see.
func PauseFor(db *gorm.DB, id uint, reason string, now time.Time) error {
	_, err := MoveBroadcast(db, id, []string{BroadcastSending}, BroadcastPaused,
		map[string]any{"pause_reason": TruncateRunes(reason, 500)}, Actor{}, now)
	return err
}
