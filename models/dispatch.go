package models

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// SendingRef is a broadcast being sent and its channel.
type SendingRef struct {
	ID        uint
	ChannelID uint
}

// SendingBroadcasts lists the broadcasts in status sending, oldest start
// first: the dispatcher's work.
func SendingBroadcasts(db *gorm.DB) ([]SendingRef, error) {
	var out []SendingRef
	if err := db.Model(&Broadcast{}).Select("id, channel_id").Where("status = ?", BroadcastSending).
		Order("started_at, id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list sending broadcasts: %w", err)
	}
	return out, nil
}

// Retry keys of a claim.
const (
	KeysNone  = iota // Messenger, WhatsApp: no idempotency key
	KeysEach         // LINE push: one X-Line-Retry-Key per delivery
	KeysBatch        // LINE multicast: the claimed rows are one request with one key
)

// ClaimSpec says what a worker claims.
type ClaimSpec struct {
	BroadcastID uint
	ClaimID     string
	Limit       int
	Lease       time.Duration
	Keys        int
	Now         time.Time
	// After: claim only deliveries with a higher id (0: from the front).
	After uint64
}

// Claimed is one claimed delivery with what sending to its person needs,
// read at claim time (eligibility is judged now, not at the freeze).
type Claimed struct {
	DeliveryID        uint64
	ContactID         uint64
	Attempts          int
	RetryKey          string
	BatchID           *uint64 // the multicast batch claimed (KeysBatch)
	PartsSent         int
	Found             bool // the contact still exists
	ExternalID        string
	Name              string
	Subscribed        bool
	LastInteractionAt *time.Time
}

// ClaimDeliveries claims up to spec.Limit due pending deliveries of a
// sending broadcast under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL,
// so workers of several instances never take the same rows; SQLite has
// one writer). Nothing is claimed once the broadcast is no longer sending
// (paused, cancelled): that is how a pause stops new requests. Retry keys
// are written in the same transaction, before any request is made. A
// LINE multicast (KeysBatch) claims one delivery batch instead, writing
// its row and not its people's (see claimBatch): the rows come back with
// BatchID set, and their answers are recorded by RecordBatchOutcomes.
func ClaimDeliveries(db *gorm.DB, spec ClaimSpec) ([]Claimed, error) {
	var out []Claimed
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		if spec.Keys == KeysBatch {
			out, err = claimBatch(tx, spec)
			return err
		}
		out, err = claimRows(tx, spec, "id > ?", spec.After)
		if err != nil || len(out) == 0 {
			return err
		}
		if spec.Keys == KeysEach {
			if err := assignEachKey(tx, out); err != nil {
				return err
			}
		}
		return fillContacts(tx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lockClause is the row-lock suffix of a claim's inner SELECT.
func lockClause(tx *gorm.DB) string {
	if IsPostgres(tx) {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// claimRows claims due pending rows matching extra (an SQL condition on
// deliveries) in id order.
func claimRows(tx *gorm.DB, spec ClaimSpec, extra string, args ...any) ([]Claimed, error) {
	now := spec.Now.UTC()
	picked := "SELECT id FROM deliveries WHERE broadcast_id = ? AND state = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)" +
		" AND " + extra +
		" AND EXISTS (SELECT 1 FROM broadcasts WHERE broadcasts.id = ? AND broadcasts.status = ?)" +
		" ORDER BY id LIMIT ?" + lockClause(tx)
	q := "WITH picked AS (" + picked + ")" +
		" UPDATE deliveries SET state = ?, claim_id = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?, dispatched_at = NULL" +
		" WHERE id IN (SELECT id FROM picked) RETURNING id, contact_id, attempts, retry_key, parts_sent"
	params := []any{spec.BroadcastID, DeliveryPending, now}
	params = append(params, args...)
	params = append(params, spec.BroadcastID, BroadcastSending, spec.Limit)
	params = append(params, DeliveryClaimed, spec.ClaimID, now.Add(spec.Lease), now)
	var rows []struct {
		ID        uint64
		ContactID uint64
		Attempts  int
		RetryKey  string
		PartsSent int
	}
	if err := tx.Raw(q, params...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: claim deliveries of broadcast %d: %w", spec.BroadcastID, err)
	}
	out := make([]Claimed, len(rows))
	for i, r := range rows {
		out[i] = Claimed{DeliveryID: r.ID, ContactID: r.ContactID, Attempts: r.Attempts, RetryKey: r.RetryKey, PartsSent: r.PartsSent}
	}
	sortClaimed(out)
	return out, nil
}

// assignEachKey persists a retry key on each freshly claimed row that has
// none (LINE push), before any request is made.
func assignEachKey(tx *gorm.DB, rows []Claimed) error {
	var ids []uint64
	var cases strings.Builder
	var args []any
	for i := range rows {
		if rows[i].RetryKey != "" {
			continue
		}
		rows[i].RetryKey = uuid.NewString()
		cases.WriteString(" WHEN ? THEN ?")
		args = append(args, rows[i].DeliveryID, rows[i].RetryKey)
		ids = append(ids, rows[i].DeliveryID)
	}
	if len(ids) == 0 {
		return nil
	}
	args = append(args, ids)
	if err := tx.Exec("UPDATE deliveries SET retry_key = CASE id"+cases.String()+" END WHERE id IN ?", args...).Error; err != nil {
		return fmt.Errorf("models: store retry keys: %w", err)
	}
	return nil
}

// fillContacts reads each claimed person as they are now.
func fillContacts(tx *gorm.DB, rows []Claimed) error {
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ContactID
	}
	var cs []struct {
		ID                uint64
		ExternalID        string
		Name              string
		Subscribed        bool
		LastInteractionAt *time.Time
	}
	if err := tx.Model(&Contact{}).Select("id, external_id, name, subscribed, last_interaction_at").
		Where("id IN ?", ids).Scan(&cs).Error; err != nil {
		return fmt.Errorf("models: read claimed contacts: %w", err)
	}
	byID := make(map[uint64]int, len(cs))
	for i, c := range cs {
		byID[c.ID] = i
	}
	for i := range rows {
		j, ok := byID[rows[i].ContactID]
		if !ok {
			continue
		}
		c := cs[j]
		rows[i].Found, rows[i].ExternalID, rows[i].Name, rows[i].Subscribed = true, c.ExternalID, c.Name, c.Subscribed
		rows[i].LastInteractionAt = c.LastInteractionAt
	}
	return nil
}

// sortClaimed puts claimed rows in id order: RETURNING gives none, and
// requests go out in the audience's order.
func sortClaimed(rows []Claimed) {
	slices.SortFunc(rows, func(a, b Claimed) int { return cmp.Compare(a.DeliveryID, b.DeliveryID) })
}

// SendingOfChannel lists the ids of a channel's sending broadcasts,
// oldest start first.
func SendingOfChannel(db *gorm.DB, channelID uint) ([]uint, error) {
	var ids []uint
	if err := db.Model(&Broadcast{}).Where("channel_id = ? AND status = ?", channelID, BroadcastSending).
		Order("started_at, id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: list sending broadcasts of channel %d: %w", channelID, err)
	}
	return ids, nil
}

// MarkDispatched records that the requests of claimed rows ids are about
// to be written: from now on a lost claim makes them uncertain rather
// than sends them again. Only rows still held by their claim (claimIDs)
// are marked; it returns the ids it marked.
func MarkDispatched(db *gorm.DB, claimIDs []string, ids []uint64, now time.Time) ([]uint64, error) {
	var marked []uint64
	if err := db.Raw("UPDATE deliveries SET dispatched_at = ? WHERE state = ? AND claim_id IN ? AND id IN ? RETURNING id",
		now.UTC(), DeliveryClaimed, claimIDs, ids).Scan(&marked).Error; err != nil {
		return nil, fmt.Errorf("models: mark %d deliveries dispatched: %w", len(ids), err)
	}
	return marked, nil
}
