package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
)

// A WhatsApp template's quick-reply tap carries its action in the
// payload (channels.TapPayload.Action). The webhook records the tap
// (RecordTap: counted per broadcast and button, the delivery's
// clicked_at) with the action pending; the background work then runs it
// once: subscribe or unsubscribe the person, or send the chosen bot
// module as a reply inside the 24-hour window the tap opened.

// States of a tap's action (button_taps.action_state; "" for a tap with
// no action).
const (
	TapPending   = "pending"   // to run
	TapRunning   = "running"   // claimed by a worker (action_at: since when)
	TapDone      = "done"      // ran
	TapSkipped   = "skipped"   // not run, with the reason in action_detail
	TapFailed    = "failed"    // the reply was refused, with the reason
	TapUncertain = "uncertain" // the reply's request may have gone out: never resent
)

// tapActionState is the state a new tap's action starts in.
func tapActionState(action string) string {
	switch action {
	case channels.ActionSubscribe, channels.ActionUnsubscribe, channels.ActionBot:
		return TapPending
	}
	return ""
}

// TapAction is one claimed tap whose action is to run.
type TapAction struct {
	ID          uint64
	BroadcastID uint
	ModuleID    uint
	Button      int
	ContactID   uint64
	Action      string
	At          time.Time
}

// ClaimTapActions claims up to limit pending tap actions, oldest first
// (SKIP LOCKED on PostgreSQL: two instances never take the same tap).
func ClaimTapActions(db *gorm.DB, limit int, now time.Time) ([]TapAction, error) {
	var out []TapAction
	err := db.Transaction(func(tx *gorm.DB) error {
		return tx.Raw("UPDATE button_taps SET action_state = ?, action_at = ? WHERE id IN (SELECT id FROM button_taps WHERE action_state = ?"+
			" ORDER BY id LIMIT ?"+lockClause(tx)+") RETURNING id, broadcast_id, module_id, button, contact_id, action, at",
			TapRunning, now.UTC(), TapPending, limit).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("models: claim tap actions: %w", err)
	}
	return out, nil
}

// FinishTapAction records how a claimed action went; false when it was
// no longer this worker's (reclaimed after its lease).
func FinishTapAction(db *gorm.DB, id uint64, state, detail string, now time.Time) (bool, error) {
	res := db.Exec("UPDATE button_taps SET action_state = ?, action_detail = ?, action_at = ? WHERE id = ? AND action_state = ?",
		state, TruncateRunes(detail, 500), now.UTC(), id, TapRunning)
	if res.Error != nil {
		return false, fmt.Errorf("models: finish tap action %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseTapAction puts a claimed action that never ran (the worker
// stopped before its request) back to pending at once.
func ReleaseTapAction(db *gorm.DB, id uint64) error {
	if err := db.Exec("UPDATE button_taps SET action_state = ? WHERE id = ? AND action_state = ?", TapPending, id, TapRunning).Error; err != nil {
		return fmt.Errorf("models: release tap action %d: %w", id, err)
	}
	return nil
}

// RunSubscriptionTap subscribes or unsubscribes the tapping person, in
// one transaction with the end of the claim: the action runs once however
// often it is claimed. A tap older than the person's last change the
// other way changes nothing (events arrive out of order). It tells
// whether the contact changed.
func RunSubscriptionTap(db *gorm.DB, tap TapAction, now time.Time) (changed bool, err error) {
	at := tap.At.UTC()
	err = db.Transaction(func(tx *gorm.DB) error {
		changed = false
		res := tx.Exec("UPDATE button_taps SET action_state = ?, action_detail = '', action_at = ? WHERE id = ? AND action_state = ?",
			TapDone, now.UTC(), tap.ID, TapRunning)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil // no longer ours
		}
		// Tap times are whole seconds (WhatsApp's timestamps): a tap in
		// the same second as the change it answers is not older than it.
		within := at.Add(time.Second)
		var q *gorm.DB
		switch tap.Action {
		case channels.ActionSubscribe:
			q = tx.Exec("UPDATE contacts SET subscribed = TRUE, subscribed_at = ?, unsubscribed_at = NULL, updated_at = ?"+
				" WHERE id = ? AND subscribed = FALSE AND (unsubscribed_at IS NULL OR unsubscribed_at < ?)", at, now.UTC(), tap.ContactID, within)
		case channels.ActionUnsubscribe:
			q = tx.Exec("UPDATE contacts SET subscribed = FALSE, unsubscribed_at = ?, updated_at = ?"+
				" WHERE id = ? AND subscribed = TRUE AND (subscribed_at IS NULL OR subscribed_at < ?)", at, now.UTC(), tap.ContactID, within)
		default:
			return fmt.Errorf("tap %d: %q is not a subscription action", tap.ID, tap.Action)
		}
		if q.Error != nil {
			return q.Error
		}
		changed = q.RowsAffected == 1
		if changed && tap.Action == channels.ActionUnsubscribe {
			return recordUnsubscribe(tx, tap.ContactID, at)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("models: run tap action %d: %w", tap.ID, err)
	}
	return changed, nil
}

// ReclaimTapActions handles claims older than before (a crashed or
// stopped worker): subscription actions go back to pending (running them
// again is harmless); a bot reply's request may have gone out, so it
// becomes uncertain and is never resent.
func ReclaimTapActions(db *gorm.DB, before, now time.Time) (requeued, uncertain int64, err error) {
	err = db.Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE button_taps SET action_state = ? WHERE action_state = ? AND action_at < ? AND action <> ?",
			TapPending, TapRunning, before.UTC(), channels.ActionBot)
		if res.Error != nil {
			return res.Error
		}
		requeued = res.RowsAffected
		res = tx.Exec("UPDATE button_taps SET action_state = ?, action_detail = ?, action_at = ? WHERE action_state = ? AND action_at < ? AND action = ?",
			TapUncertain, "the reply's request got no recorded answer", now.UTC(), TapRunning, before.UTC(), channels.ActionBot)
		if res.Error != nil {
			return res.Error
		}
		uncertain = res.RowsAffected
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("models: reclaim tap actions: %w", err)
	}
	return requeued, uncertain, nil
}

// TapActionCount is how many taps of one button of a broadcast ended in
// each action state.
type TapActionCount struct {
	Button int
	Action string
	State  string
	Taps   int64
}

// CountTapActions returns a broadcast's tap actions by button and state.
func CountTapActions(db *gorm.DB, broadcastID uint) ([]TapActionCount, error) {
	var out []TapActionCount
	err := db.Model(&ButtonTap{}).Select("button, action, action_state AS state, COUNT(*) AS taps").
		Where("broadcast_id = ? AND action <> ''", broadcastID).Group("button, action, action_state").
		Order("button, action, action_state").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: count tap actions of broadcast %d: %w", broadcastID, err)
	}
	return out, nil
}

// TapContact is what running a tap's action needs of the person.
type TapContact struct {
	ID         uint64
	ChannelID  uint
	ExternalID string
	Name       string
	Subscribed bool
}

// FindTapContact loads the tapping person (ErrNotFound once deleted).
func FindTapContact(db *gorm.DB, id uint64) (TapContact, error) {
	var c []TapContact
	if err := db.Model(&Contact{}).Select("id, channel_id, external_id, name, subscribed").Where("id = ?", id).Limit(1).Scan(&c).Error; err != nil {
		return TapContact{}, fmt.Errorf("models: load contact %d: %w", id, err)
	}
	if len(c) == 0 {
		return TapContact{}, ErrNotFound
	}
	return c[0], nil
}
