package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// EventKeep is how long webhook events are kept once they are done with:
// applied receipts (their effect is on the deliveries) and the dedupe
// keys of received webhooks (platforms redeliver for hours, not days).
const EventKeep = 7 * 24 * time.Hour

// pruneChunk bounds one DELETE, so that pruning never holds the tables
// for long.
const pruneChunk = 5000

// PruneEvents deletes applied receipt events and webhook dedupe keys
// older than keep, a chunk at a time, and returns how many of each.
// Receipts not applied yet (waiting, or set aside) are kept.
func PruneEvents(db *gorm.DB, keep time.Duration, now time.Time) (receipts, webhooks int64, err error) {
	before := now.UTC().Add(-keep)
	receipts, err = pruneChunks(db, "receipt_events", "applied = TRUE AND created_at < ?", before)
	if err != nil {
		return receipts, 0, err
	}
	webhooks, err = pruneChunks(db, "webhook_events", "received_at < ?", before)
	return receipts, webhooks, err
}

// pruneChunks deletes table's rows matching cond, pruneChunk at a time.
func pruneChunks(db *gorm.DB, table, cond string, args ...any) (int64, error) {
	var total int64
	for {
		res := db.Exec("DELETE FROM "+table+" WHERE id IN (SELECT id FROM "+table+" WHERE "+cond+" LIMIT ?)", append(args, pruneChunk)...)
		if res.Error != nil {
			return total, fmt.Errorf("models: prune %s: %w", table, res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < pruneChunk {
			return total, nil
		}
	}
}
