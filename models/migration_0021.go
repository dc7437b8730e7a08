package models

import (
	"fmt"

	"gorm.io/gorm"
)

// migrate0021 indexes the pending rows of LINE multicast batches that
// went back for a retry. Every multicast claim first looks for such a
// batch; through the (broadcast_id, state, id) index that look-up read
// every pending row of the broadcast when there was none, so a
// 1,000,000-person multicast spent its time re-reading its queue. The
// partial index holds only rows waiting for a retry: usually none.
//
// It also narrows the provider message id index to rows that have one:
// every delivery starts without (LINE multicast copies never get one),
// and each write of a row (freeze, claim, answer) paid for an entry of
// the empty id. Receipts look ids up with provider_message_id <> ”.
func migrate0021(tx *gorm.DB) error {
	for _, q := range []string{
		"CREATE INDEX idx_deliveries_pending_batch ON deliveries (broadcast_id, id) WHERE state = 'pending' AND batch_id IS NOT NULL",
		"DROP INDEX idx_deliveries_provider_message",
		"CREATE INDEX idx_deliveries_provider_message ON deliveries (provider_message_id) WHERE provider_message_id <> ''",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("models: migrate 0021: %w", err)
		}
	}
	return nil
}
