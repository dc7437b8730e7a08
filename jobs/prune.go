package jobs

import (
	"context"
	"time"

	"omnicast/models"
)

// pruneEvery is how often done-with webhook events are deleted.
const pruneEvery = time.Hour

// pruneEvents is the periodic job keeping receipt_events and
// webhook_events from growing without end.
func (r *Runner) pruneEvents(ctx context.Context) {
	receipts, webhooks, err := models.PruneEvents(r.cfg.DB.WithContext(ctx), models.EventKeep, r.cfg.Now())
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("pruning old webhook events failed", "err", err)
		}
		return
	}
	if receipts+webhooks > 0 {
		r.log.Info("old webhook events pruned", "receipts", receipts, "webhooks", webhooks)
	}
}
