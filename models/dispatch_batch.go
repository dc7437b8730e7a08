package models

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Multicast batch states. A batch is pending (waiting for a first try or
// a retry, due at NextAttemptAt), claimed (one worker's, under a lease)
// or done (every person of it answered for).
const (
	BatchPending = "pending"
	BatchClaimed = "claimed"
	BatchDone    = "done"
)

// DeliveryBatch is one LINE multicast request: the pending deliveries of
// a broadcast with ids in FirstID..LastID, sent together under one retry
// key. Claiming it writes this row only; its delivery rows move once,
// when the answer is recorded.
type DeliveryBatch struct {
	ID            uint64 `gorm:"primaryKey"`
	BroadcastID   uint   `gorm:"not null"`
	FirstID       uint64 `gorm:"not null"`
	LastID        uint64 `gorm:"not null"`
	RetryKey      string `gorm:"size:36;not null"`
	State         string `gorm:"size:12;not null"`
	ClaimID       string `gorm:"size:40;not null;default:''"`
	LeaseUntil    *time.Time
	Attempts      int `gorm:"not null;default:0"`
	NextAttemptAt *time.Time
	UpdatedAt     time.Time
}

// batchLockClass names omnicast's advisory locks on the frontier of a
// broadcast's batches (the second key is the broadcast id).
const batchLockClass = 7301

// batchTries bounds how many emptied batches one claim steps over.
const batchTries = 8

// claimBatch claims a multicast batch of a sending broadcast: first a
// batch waiting for a retry (the same people under the same key, so
// LINE answers 409 for a request that went out), else a new one of up
// to spec.Limit people after the last batch's range.
func claimBatch(tx *gorm.DB, spec ClaimSpec) ([]Claimed, error) {
	for range batchTries {
		b, err := claimWaitingBatch(tx, spec)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return newBatch(tx, spec)
		}
		rows, err := batchRows(tx, b)
		if err != nil || len(rows) > 0 {
			return rows, err
		}
		// Everyone in it was answered for meanwhile (a staff action):
		// nothing to send.
		if err := tx.Model(&DeliveryBatch{}).Where("id = ?", b.ID).Update("state", BatchDone).Error; err != nil {
			return nil, fmt.Errorf("models: close empty batch %d: %w", b.ID, err)
		}
	}
	return nil, nil
}

// claimWaitingBatch takes the oldest due pending batch of the broadcast
// under spec's claim, or returns nil.
func claimWaitingBatch(tx *gorm.DB, spec ClaimSpec) (*DeliveryBatch, error) {
	now := spec.Now.UTC()
	// The state is a literal so that the planner may use the partial
	// index of waiting batches with any plan.
	pick := "SELECT id FROM delivery_batches WHERE broadcast_id = ? AND state = '" + BatchPending + "'" +
		" AND (next_attempt_at IS NULL OR next_attempt_at <= ?)" +
		" AND EXISTS (SELECT 1 FROM broadcasts WHERE broadcasts.id = ? AND broadcasts.status = ?)" +
		" ORDER BY id LIMIT 1" + lockClause(tx)
	var got []DeliveryBatch
	if err := tx.Raw("UPDATE delivery_batches SET state = ?, claim_id = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?"+
		" WHERE id IN ("+pick+") RETURNING id, broadcast_id, first_id, last_id, retry_key, attempts",
		BatchClaimed, spec.ClaimID, now.Add(spec.Lease), now, spec.BroadcastID, now, spec.BroadcastID, BroadcastSending).
		Scan(&got).Error; err != nil {
		return nil, fmt.Errorf("models: claim a waiting batch of broadcast %d: %w", spec.BroadcastID, err)
	}
	if len(got) == 0 {
		return nil, nil
	}
	return &got[0], nil
}

// newBatch cuts the next batch after the broadcast's frontier (the end
// of its last batch). On PostgreSQL an advisory lock per broadcast makes
// the workers of every instance cut one at a time; SQLite has one writer.
func newBatch(tx *gorm.DB, spec ClaimSpec) ([]Claimed, error) {
	if IsPostgres(tx) {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?, ?)", batchLockClass, int32(spec.BroadcastID)).Error; err != nil {
			return nil, fmt.Errorf("models: lock the batches of broadcast %d: %w", spec.BroadcastID, err)
		}
	}
	var frontier uint64
	if err := tx.Raw("SELECT COALESCE(MAX(last_id), 0) FROM delivery_batches WHERE broadcast_id = ?", spec.BroadcastID).
		Scan(&frontier).Error; err != nil {
		return nil, fmt.Errorf("models: read the batch frontier of broadcast %d: %w", spec.BroadcastID, err)
	}
	var ids []uint64
	if err := tx.Raw("SELECT id FROM deliveries WHERE broadcast_id = ? AND state = ? AND id > ?"+
		" AND EXISTS (SELECT 1 FROM broadcasts WHERE broadcasts.id = ? AND broadcasts.status = ?) ORDER BY id LIMIT ?",
		spec.BroadcastID, DeliveryPending, frontier, spec.BroadcastID, BroadcastSending, spec.Limit).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("models: pick a batch of broadcast %d: %w", spec.BroadcastID, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	now := spec.Now.UTC()
	lease := now.Add(spec.Lease)
	b := &DeliveryBatch{BroadcastID: spec.BroadcastID, FirstID: frontier + 1, LastID: ids[len(ids)-1], RetryKey: uuid.NewString(),
		State: BatchClaimed, ClaimID: spec.ClaimID, LeaseUntil: &lease, Attempts: 1, UpdatedAt: now}
	if err := tx.Create(b).Error; err != nil {
		return nil, fmt.Errorf("models: store a batch of broadcast %d: %w", spec.BroadcastID, err)
	}
	return batchRows(tx, b)
}

// batchRows reads the pending people of batch b with what sending to
// them needs.
func batchRows(tx *gorm.DB, b *DeliveryBatch) ([]Claimed, error) {
	var rows []struct {
		ID        uint64
		ContactID uint64
	}
	if err := tx.Raw("SELECT id, contact_id FROM deliveries WHERE broadcast_id = ? AND state = ? AND id BETWEEN ? AND ? ORDER BY id",
		b.BroadcastID, DeliveryPending, b.FirstID, b.LastID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: read batch %d: %w", b.ID, err)
	}
	out := make([]Claimed, 0, len(rows))
	for _, r := range rows {
		batch := b.ID
		out = append(out, Claimed{DeliveryID: r.ID, ContactID: r.ContactID, Attempts: b.Attempts, RetryKey: b.RetryKey, BatchID: &batch})
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, fillContacts(tx, out)
}

// errBatchLost: the batch is no longer held by the claim (its lease
// expired and it was reclaimed); its answers are another worker's now.
var errBatchLost = errors.New("models: batch no longer held by this claim")

// closeBatch moves a claimed batch out of claimID's hands: done, or back
// to pending when retry is set (due at retryAt; release also gives the
// claim's attempt back: nothing was sent).
func closeBatch(tx *gorm.DB, batchID uint64, claimID string, retry, release bool, retryAt time.Time, now time.Time) error {
	set := map[string]any{"state": BatchDone, "claim_id": "", "lease_until": nil, "updated_at": now}
	if retry {
		set["state"], set["next_attempt_at"] = BatchPending, retryAt.UTC()
		if release {
			set["attempts"] = gorm.Expr("attempts - 1")
		}
	}
	res := tx.Model(&DeliveryBatch{}).Where("id = ? AND claim_id = ? AND state = ?", batchID, claimID, BatchClaimed).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("models: close batch %d: %w", batchID, res.Error)
	}
	if res.RowsAffected == 0 {
		return errBatchLost
	}
	return nil
}

// ReleaseBatch gives a stopping worker's claimed batch, never sent, back
// to the queue at once (no lease to wait out).
func ReleaseBatch(db *gorm.DB, batchID uint64, claimID string, now time.Time) error {
	err := closeBatch(db, batchID, claimID, true, true, now, now.UTC())
	if errors.Is(err, errBatchLost) {
		return nil
	}
	return err
}

// reclaimExpiredBatches puts the batches whose claim's lease expired back
// to pending: retried under their key, so LINE answers 409 for a request
// that had gone out.
func reclaimExpiredBatches(tx *gorm.DB, now time.Time) (int64, error) {
	res := tx.Exec("UPDATE delivery_batches SET state = ?, claim_id = '', lease_until = NULL, updated_at = ? WHERE state = ? AND lease_until < ?",
		BatchPending, now, BatchClaimed, now)
	if res.Error != nil {
		return 0, fmt.Errorf("models: reclaim expired batches: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// reopenBatches puts back in the queue the finished batches of a
// broadcast that hold pending people again (a staff retry or resend):
// under their old key, so LINE answers 409 for anyone it had accepted.
func reopenBatches(tx *gorm.DB, broadcastID uint, now time.Time) error {
	if err := tx.Exec("UPDATE delivery_batches SET state = ?, attempts = 0, next_attempt_at = NULL, updated_at = ?"+
		" WHERE broadcast_id = ? AND state = ? AND EXISTS (SELECT 1 FROM deliveries d WHERE d.broadcast_id = delivery_batches.broadcast_id"+
		" AND d.state = ? AND d.id BETWEEN delivery_batches.first_id AND delivery_batches.last_id)",
		BatchPending, now, broadcastID, BatchDone, DeliveryPending).Error; err != nil {
		return fmt.Errorf("models: reopen the batches of broadcast %d: %w", broadcastID, err)
	}
	return nil
}
