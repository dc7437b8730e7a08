package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Outcome is what became of one claimed delivery. State is a final
// delivery state (sent, failed, skipped, uncertain) or pending: back in
// the queue, due at NextAttemptAt, its retry key kept.
type Outcome struct {
	DeliveryID    uint64
	ContactID     uint64
	State         string
	ProviderID    string
	Reason        string
	Detail        string
	NextAttemptAt time.Time
	PartsSent     int // pending: the parts already sent
}

// OutcomeCounts is how many rows each RecordOutcomes moved.
type OutcomeCounts struct {
	Sent, Failed, Skipped, Uncertain, Requeued int64
}

// RecordOutcomes writes the outcomes of one claim in one transaction: the
// delivery rows (only those still held under claimID: a row whose lease
// expired and was reclaimed is another worker's now), the broadcast's
// counters from the rows actually moved, and the tags put on each person
// whose message was sent.
func RecordOutcomes(db *gorm.DB, broadcastID uint, claimID string, outs []Outcome, tags []Tag, now time.Time) (OutcomeCounts, error) {
	now = now.UTC()
	var n OutcomeCounts
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		n, err = recordOutcomes(tx, broadcastID, heldBy(claimID), outs, tags, now)
		return err
	})
	return n, err
}

// RecordBatchOutcomes writes the outcomes of a claimed multicast batch in
// one transaction, if the batch is still held under claimID: the batch
// is done, or back to pending when its people are to be retried (then
// their rows stay as they are and the batch carries the due time), and
// the final answers are written as RecordOutcomes does.
func RecordBatchOutcomes(db *gorm.DB, broadcastID uint, batchID uint64, claimID string, outs []Outcome, tags []Tag, now time.Time) (OutcomeCounts, error) {
	now = now.UTC()
	retry, retryAt := false, time.Time{}
	final := make([]Outcome, 0, len(outs))
	for _, o := range outs {
		if o.State == DeliveryPending {
			retry = true
			if o.NextAttemptAt.After(retryAt) {
				retryAt = o.NextAttemptAt
			}
			continue
		}
		final = append(final, o)
	}
	var n OutcomeCounts
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := closeBatch(tx, batchID, claimID, retry, false, retryAt, now); err != nil {
			if errors.Is(err, errBatchLost) {
				return nil // reclaimed: retried under the same key by its new holder
			}
			return err
		}
		var err error
		n, err = recordOutcomes(tx, broadcastID, stillPending(), final, tags, now)
		n.Requeued = int64(len(outs) - len(final))
		return err
	})
	return n, err
}

// rowGuard is the condition a delivery row must meet to take its answer.
type rowGuard struct {
	sql  string
	args []any
}

// heldBy: the row is claimed under claimID.
func heldBy(claimID string) rowGuard {
	return rowGuard{"claim_id = ? AND state = ?", []any{claimID, DeliveryClaimed}}
}

// stillPending: the row of a claimed batch, not yet answered for. The
// ids come from the batch, so its broadcast is not named: with it, the
// planner may walk the broadcast's (broadcast_id, state, id) entries,
// all of its pending people, instead of looking the ids up.
func stillPending() rowGuard {
	return rowGuard{"state = ?", []any{DeliveryPending}}
}

// recordOutcomes writes outcomes to the rows meeting guard, the counters
// and the tags, inside tx.
func recordOutcomes(tx *gorm.DB, broadcastID uint, guard rowGuard, outs []Outcome, tags []Tag, now time.Time) (OutcomeCounts, error) {
	var n OutcomeCounts
	groups := map[string][]Outcome{}
	for _, o := range outs {
		groups[o.State] = append(groups[o.State], o)
	}
	var sentContacts []uint64
	for _, state := range []string{DeliverySent, DeliveryFailed, DeliverySkipped, DeliveryUncertain, DeliveryPending} {
		g := groups[state]
		if len(g) == 0 {
			continue
		}
		moved, err := writeOutcomes(tx, guard, state, g, now)
		if err != nil {
			return n, err
		}
		switch state {
		case DeliverySent:
			n.Sent, sentContacts = int64(len(moved)), moved
		case DeliveryFailed:
			n.Failed = int64(len(moved))
		case DeliverySkipped:
			n.Skipped = int64(len(moved))
		case DeliveryUncertain:
			n.Uncertain = int64(len(moved))
		case DeliveryPending:
			n.Requeued = int64(len(moved))
		}
	}
	final := n.Sent + n.Failed + n.Skipped + n.Uncertain
	if final > 0 {
		if err := tx.Model(&Broadcast{}).Where("id = ?", broadcastID).Updates(map[string]any{
			"pending_count":   gorm.Expr("pending_count - ?", final),
			"sent_count":      gorm.Expr("sent_count + ?", n.Sent),
			"failed_count":    gorm.Expr("failed_count + ?", n.Failed),
			"skipped_count":   gorm.Expr("skipped_count + ?", n.Skipped),
			"uncertain_count": gorm.Expr("uncertain_count + ?", n.Uncertain),
		}).Error; err != nil {
			return n, fmt.Errorf("models: count outcomes of broadcast %d: %w", broadcastID, err)
		}
	}
	return n, TagContacts(tx, sentContacts, tags)
}

// writeOutcomes moves one group of rows to state and returns the contact
// ids of the rows it moved.
func writeOutcomes(tx *gorm.DB, guard rowGuard, state string, g []Outcome, now time.Time) ([]uint64, error) {
	ids := make([]uint64, len(g))
	for i, o := range g {
		ids[i] = o.DeliveryID
	}
	set := []string{"state = ?", "claim_id = ''", "lease_until = NULL", "updated_at = ?"}
	args := []any{state, now}
	// PostgreSQL types a CASE's parameters as text unless told.
	cast := func(pgType string) string {
		if IsPostgres(tx) && pgType != "" {
			return "CAST(? AS " + pgType + ")"
		}
		return "?"
	}
	caseOf := func(col, pgType string, val func(Outcome) any) {
		var b strings.Builder
		b.WriteString(col + " = CASE id")
		for _, o := range g {
			b.WriteString(" WHEN ? THEN " + cast(pgType))
			args = append(args, o.DeliveryID, val(o))
		}
		b.WriteString(" END")
		set = append(set, b.String())
	}
	switch state {
	case DeliverySent:
		set = append(set, "sent_at = ?", "reason = ''", "detail = ''")
		args = append(args, now)
		if anyOf(g, func(o Outcome) bool { return o.ProviderID != "" }) {
			caseOf("provider_message_id", "", func(o Outcome) any { return o.ProviderID })
		}
	case DeliveryPending:
		caseOf("next_attempt_at", "timestamptz", func(o Outcome) any { return o.NextAttemptAt.UTC() })
		caseOf("parts_sent", "integer", func(o Outcome) any { return o.PartsSent })
		caseOf("reason", "", func(o Outcome) any { return TruncateRunes(o.Reason, 32) })
	default:
		caseOf("reason", "", func(o Outcome) any { return TruncateRunes(o.Reason, 32) })
		caseOf("detail", "", func(o Outcome) any { return TruncateRunes(o.Detail, 500) })
	}
	args = append(args, guard.args...)
	args = append(args, ids)
	q := "UPDATE deliveries SET " + strings.Join(set, ", ") + " WHERE " + guard.sql + " AND id IN ? RETURNING contact_id"
	var moved []uint64
	if err := tx.Raw(q, args...).Scan(&moved).Error; err != nil {
		return nil, fmt.Errorf("models: record %s deliveries: %w", state, err)
	}
	return moved, nil
}

func anyOf(g []Outcome, f func(Outcome) bool) bool {
	for _, o := range g {
		if f(o) {
			return true
		}
	}
	return false
}

// ReclaimExpired returns the deliveries whose claim's lease expired (the
// worker crashed or lost the database) to the queue: with a retry key
// (LINE) they go back to pending and are retried under the same key, as
// do rows whose request was never dispatched; a dispatched one without a
// key may have reached the platform, so it becomes uncertain, never
// resent automatically. Expired multicast batches go back to pending too,
// counted among the requeued. It returns both counts.
func ReclaimExpired(db *gorm.DB, now time.Time) (requeued, uncertain int64, err error) {
	now = now.UTC()
	err = db.Transaction(func(tx *gorm.DB) error {
		// Rows with a retry key, and rows whose request was never
		// dispatched, go back to the queue: sending them cannot duplicate.
		res := tx.Exec("UPDATE deliveries SET state = ?, claim_id = '', lease_until = NULL, dispatched_at = NULL, updated_at = ?"+
			" WHERE state = ? AND lease_until < ? AND (retry_key <> '' OR dispatched_at IS NULL)", DeliveryPending, now, DeliveryClaimed, now)
		if res.Error != nil {
			return fmt.Errorf("models: reclaim expired claims: %w", res.Error)
		}
		requeued = res.RowsAffected
		batches, err := reclaimExpiredBatches(tx, now)
		if err != nil {
			return err
		}
		requeued += batches
		var rows []struct {
			BroadcastID uint
			N           int64
		}
		if err := tx.Raw("SELECT broadcast_id, COUNT(*) AS n FROM deliveries WHERE state = ? AND lease_until < ? AND retry_key = ''"+
			" AND dispatched_at IS NOT NULL GROUP BY broadcast_id", DeliveryClaimed, now).Scan(&rows).Error; err != nil {
			return fmt.Errorf("models: find expired claims: %w", err)
		}
		for _, r := range rows {
			res := tx.Exec("UPDATE deliveries SET state = ?, reason = ?, claim_id = '', lease_until = NULL, updated_at = ?"+
				" WHERE broadcast_id = ? AND state = ? AND lease_until < ? AND retry_key = '' AND dispatched_at IS NOT NULL",
				DeliveryUncertain, "no_answer", now, r.BroadcastID, DeliveryClaimed, now)
			if res.Error != nil {
				return fmt.Errorf("models: mark expired claims uncertain: %w", res.Error)
			}
			uncertain += res.RowsAffected
			if err := tx.Model(&Broadcast{}).Where("id = ?", r.BroadcastID).Updates(map[string]any{
				"pending_count":   gorm.Expr("pending_count - ?", res.RowsAffected),
				"uncertain_count": gorm.Expr("uncertain_count + ?", res.RowsAffected),
			}).Error; err != nil {
				return fmt.Errorf("models: count reclaimed deliveries: %w", err)
			}
		}
		return nil
	})
	return requeued, uncertain, err
}

// ReleaseClaims puts a stopping worker's claimed rows that it never sent
// back to pending at once (no lease to wait out).
func ReleaseClaims(db *gorm.DB, claimID string, ids []uint64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if err := db.Exec("UPDATE deliveries SET state = ?, claim_id = '', lease_until = NULL, dispatched_at = NULL, attempts = attempts - 1, updated_at = ?"+
		" WHERE claim_id = ? AND state = ? AND id IN ?", DeliveryPending, now.UTC(), claimID, DeliveryClaimed, ids).Error; err != nil {
		return fmt.Errorf("models: release claims: %w", err)
	}
	return nil
}

// Remaining tells how many deliveries of a broadcast are still to do
// (pending or claimed), and when the soonest pending one is due.
func Remaining(db *gorm.DB, broadcastID uint) (n int64, err error) {
	if err := db.Model(&Delivery{}).Where("broadcast_id = ? AND state IN ?", broadcastID,
		[]string{DeliveryPending, DeliveryClaimed}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count remaining deliveries of broadcast %d: %w", broadcastID, err)
	}
	return n, nil
}

// FinishIfDone moves a sending broadcast whose every delivery is final
// to done, with its finish time. It tells whether it did.
//
// The move names the version read before counting: a staff retry that
// queued rows in between moved the version (RetryDeliveries), so this
// broadcast is not finished with people still waiting.
func FinishIfDone(db *gorm.DB, broadcastID uint, now time.Time) (bool, error) {
	var version []int
	if err := db.Model(&Broadcast{}).Where("id = ? AND status = ?", broadcastID, BroadcastSending).
		Pluck("version", &version).Error; err != nil {
		return false, fmt.Errorf("models: read broadcast %d: %w", broadcastID, err)
	}
	if len(version) == 0 {
		return false, nil
	}
	left, err := Remaining(db, broadcastID)
	if err != nil || left > 0 {
		return false, err
	}
	moved := false
	err = db.Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Broadcast{}).Where("id = ? AND status = ? AND version = ?", broadcastID, BroadcastSending, version[0]).
			Updates(map[string]any{"status": BroadcastDone, "finished_at": now.UTC(), "pending_count": 0,
				"updated_at": now.UTC(), "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return fmt.Errorf("models: finish broadcast %d: %w", broadcastID, res.Error)
		}
		if moved = res.RowsAffected == 1; !moved {
			return nil
		}
		return Audit(tx, Actor{}, AuditEntry{BroadcastID: &broadcastID, Action: "status:" + BroadcastDone}, now)
	})
	return moved, err
}
