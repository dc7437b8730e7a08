package jobs

import (
	"context"
	"time"

	"omnicast/models"
)

// Receipt processing: a periodic job applies the receipts the webhooks
// stored (Messenger delivery and read watermarks, WhatsApp statuses) to
// the delivery rows. gocron only triggers it; which receipts a pass takes
// is decided by the database (SKIP LOCKED on PostgreSQL), so a second
// instance or an overlapping pass is harmless.
const (
	// receiptsEvery is how often the stored receipts are applied.
	receiptsEvery = 2 * time.Second
	// receiptBatch is how many receipts one transaction applies.
	receiptBatch = 500
	// receiptPassMax bounds one pass, so that a backlog does not hold the
	// job (and the stop) for long; the next pass goes on.
	receiptPassMax = 10 * time.Second
)

// applyReceipts is the periodic job: batches until none is left due, the
// pass's time is up or the stop.
func (r *Runner) applyReceipts(ctx context.Context) {
	start := time.Now()
	db := r.cfg.DB.WithContext(ctx)
	for ctx.Err() == nil {
		b, err := models.ApplyReceipts(db, receiptBatch, r.cfg.Now())
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("applying receipts failed; the next pass retries", "err", err)
			}
			return
		}
		r.dispatch.m.receipts.Add(float64(b.Applied))
		if b.Failed > 0 {
			r.log.Info("deliveries failed by a WhatsApp status", "deliveries", b.Failed)
		}
		if b.Events < receiptBatch || time.Since(start) > receiptPassMax {
			return
		}
	}
}
