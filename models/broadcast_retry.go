package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
)

// ErrNothingToRetry is returned when a resend or a retry finds no
// delivery to move (none uncertain, no retryable failure; or another
// press, here or on another instance, moved them first).
var ErrNothingToRetry = errors.New("error.nothing_to_retry")

// retryableReasons are the failure reasons a staff retry may send again:
// the platform was busy, slow or briefly unreachable, so the same message
// to the same person can succeed later. Every other reason (unsubscribed,
// no such user, a bad request, an abuse verdict, a token or permission
// error, the LINE quota, an unknown answer) would fail the same way or
// must not be sent.
var retryableReasons = map[string]bool{
	channels.ReasonRateLimited: true,
	channels.ReasonTemporary:   true,
	channels.ReasonNoAnswer:    true,
	channels.ReasonUnavailable: true,
}

// RetryableReason tells whether a failed delivery with this reason may be
// retried by staff.
func RetryableReason(reason string) bool { return retryableReasons[reason] }

// RetryableReasons lists them, sorted.
func RetryableReasons() []string {
	return []string{channels.ReasonNoAnswer, channels.ReasonRateLimited, channels.ReasonTemporary, channels.ReasonUnavailable}
}

// Retry kinds: which deliveries go back to the queue.
const (
	RetryUncertain = "resend" // uncertain → pending
	RetryFailed    = "retry"  // failed with a retryable reason → pending
)

// RetryDeliveries puts a broadcast's uncertain deliveries (kind
// RetryUncertain) or its retryable failures (RetryFailed) back in the
// queue, for user u, and returns how many. Everything happens in one
// transaction: the broadcast row is locked first by a conditional UPDATE
// (sending, paused or done; a done one goes back to sending, and its
// version moves so that a dispatcher finishing it at that moment does not
// finish it again), then ONE conditional UPDATE moves the rows, and the
// counters change by what it moved. A second press, here or on another
// instance, finds nothing left in that state and moves nothing: each
// person is queued once, so sent once.
func RetryDeliveries(db *gorm.DB, id uint, kind string, u *User, who Actor, now time.Time) (int64, error) {
	b, err := controlled(db, id, u)
	if err != nil {
		return 0, err
	}
	from, counter := DeliveryUncertain, "uncertain_count"
	cond, args := "", []any{}
	if kind == RetryFailed {
		from, counter = DeliveryFailed, "failed_count"
		cond, args = " AND reason IN ?", []any{RetryableReasons()}
	} else if kind != RetryUncertain {
		return 0, fmt.Errorf("models: unknown retry kind %q", kind)
	}
	now = now.UTC()
	var moved int64
	err = db.Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE broadcasts SET status = CASE WHEN status = ? THEN ? ELSE status END,"+
			" finished_at = CASE WHEN status = ? THEN NULL ELSE finished_at END, version = version + 1, updated_at = ?"+
			" WHERE id = ? AND status IN ?", BroadcastDone, BroadcastSending, BroadcastDone, now, b.ID,
			[]string{BroadcastSending, BroadcastPaused, BroadcastDone})
		if res.Error != nil {
			return fmt.Errorf("models: %s broadcast %d: %w", kind, b.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrBroadcastState
		}
		q := "UPDATE deliveries SET state = ?, reason = '', detail = '', attempts = 0, next_attempt_at = NULL, claim_id = '', lease_until = NULL," +
			" dispatched_at = NULL, updated_at = ? WHERE broadcast_id = ? AND state = ?" + cond
		res = tx.Exec(q, append([]any{DeliveryPending, now, b.ID, from}, args...)...)
		if res.Error != nil {
			return fmt.Errorf("models: %s deliveries of broadcast %d: %w", kind, b.ID, res.Error)
		}
		if moved = res.RowsAffected; moved == 0 {
			return ErrNothingToRetry // rolls the status move back
		}
		if err := reopenBatches(tx, b.ID, now); err != nil {
			return err
		}
		if err := tx.Model(&Broadcast{}).Where("id = ?", b.ID).Updates(map[string]any{
			"pending_count": gorm.Expr("pending_count + ?", moved),
			counter:         gorm.Expr(counter+" - ?", moved),
		}).Error; err != nil {
			return fmt.Errorf("models: count %s of broadcast %d: %w", kind, b.ID, err)
		}
		return Audit(tx, who, AuditEntry{BroadcastID: &b.ID, Action: kind, Diff: fmt.Sprintf(`{"deliveries":%d}`, moved)}, now)
	})
	if err != nil {
		return 0, err
	}
	return moved, nil
}

// RetryCounts tells how many deliveries a resend and a retry would move
// now (the buttons' figures), through the (broadcast_id, state, id)
// index.
func RetryCounts(db *gorm.DB, id uint) (uncertain, retryable int64, err error) {
	if err := db.Model(&Delivery{}).Where("broadcast_id = ? AND state = ?", id, DeliveryUncertain).Count(&uncertain).Error; err != nil {
		return 0, 0, fmt.Errorf("models: count uncertain of broadcast %d: %w", id, err)
	}
	if err := db.Model(&Delivery{}).Where("broadcast_id = ? AND state = ? AND reason IN ?", id, DeliveryFailed, RetryableReasons()).
		Count(&retryable).Error; err != nil {
		return 0, 0, fmt.Errorf("models: count retryable of broadcast %d: %w", id, err)
	}
	return uncertain, retryable, nil
}
