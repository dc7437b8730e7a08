package jobs

import (
	"context"
	"errors"

	"omnicast/models"
)

// WorkerFreeze writes the audiences of confirmed broadcasts into their
// deliveries (models.FreezeAudience) and moves them on to scheduled. The
// confirming request only moves the broadcast to preparing and wakes it,
// so no request waits for a million rows; the page polls the
// broadcast's frozen_count of audience_count.
const WorkerFreeze = "freeze"

// freezeWorker freezes every preparing broadcast, oldest confirmation
// first, including those a stopped process left half way (they resume
// after the last contact written).
func (r *Runner) freezeWorker(ctx context.Context, wake <-chan struct{}) {
	for {
		for ctx.Err() == nil {
			ids, err := models.PreparingBroadcasts(r.cfg.DB, 10)
			if err != nil {
				r.log.Error("listing broadcasts to freeze failed", "err", err)
				break
			}
			if len(ids) == 0 {
				break
			}
			failed := 0
			for _, id := range ids {
				if ctx.Err() != nil {
					return
				}
				if err := models.FreezeAudience(r.cfg.DB.WithContext(ctx), id, r.cfg.Now()); err != nil && !errors.Is(err, models.ErrNotPreparing) {
					r.log.Error("freezing a broadcast's audience failed", "broadcast", id, "err", err)
					failed++
					continue
				}
				r.log.Info("broadcast audience frozen", "broadcast", id)
				// Now scheduled: its trigger is registered at once (a
				// send-now broadcast starts now, not at the next sync).
				r.sched.sync()
			}
			if failed == len(ids) {
				break // wait for the next round rather than spin on a failing database
			}
		}
		if !r.idle(ctx, wake) {
			return
		}
	}
}
