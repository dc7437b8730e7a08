package jobs

import (
	"net/http"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// LINE multicast batches under heavy faults (a third of the requests
// answered 5xx, a fifth accepted but answered too late) and two
// instances: every batch is retried under its key until LINE accepts it
// or answers 409, so every person gets the message exactly once and the
// batch rows end done.
func TestMulticastBatchesUnderFaultsSendEachOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{ServerErrorRate: 0.3, TimeoutRate: 0.2, TimeoutDelay: 2 * time.Second, Seed: 11})
		line := e.channel(channels.KindLINE, "1650000021", 0)
		ids := e.people(line, 2600)
		b := e.broadcast(line, text("週年慶開跑"), time.Now().Add(-time.Second), ids, nil)
		faulty := func(c *Config) {
			c.Senders = shortSenders(e.sealer, 500*time.Millisecond)
			c.Dispatch.MaxAttempts = 20
			c.Dispatch.BackoffBase, c.Dispatch.BackoffMax = 20*time.Millisecond, 200*time.Millisecond
		}
		e.runner(func(c *Config) { faulty(c); c.Instance = "one" })
		e.runner(func(c *Config) { faulty(c); c.Instance = "two" })
		done := e.waitStatus(b.ID, models.BroadcastDone, 90*time.Second)
		e.checkCounters(done)
		if d := e.sim.Duplicates(); len(d) > 0 {
			t.Fatalf("duplicates: %v", d[:min(len(d), 5)])
		}
		if got := e.states(b.ID); got[models.DeliverySent] != 2600 {
			t.Fatalf("states %v, want all 2600 sent", got)
		}
		if n := len(e.sim.Sent()); n != 2600 {
			t.Fatalf("simulator recorded %d messages, want 2600", n)
		}
		var batches []models.DeliveryBatch
		db.Where("broadcast_id = ?", b.ID).Order("first_id").Find(&batches)
		if len(batches) != 6 { // 500 × 5 + 100
			t.Fatalf("%d batches, want 6", len(batches))
		}
		retried := 0
		for i, bt := range batches {
			if bt.State != models.BatchDone {
				t.Errorf("batch %d is %s", bt.ID, bt.State)
			}
			if i > 0 && bt.FirstID != batches[i-1].LastID+1 {
				t.Errorf("batch ranges do not follow one another: %d..%d after ..%d", bt.FirstID, bt.LastID, batches[i-1].LastID)
			}
			if bt.Attempts > 1 {
				retried++
			}
		}
		if retried == 0 {
			t.Error("no batch was retried: the faults did not happen")
		}
	})
}

// A failed multicast batch retried by staff, pressed twice, goes out once
// more under its key to the people it failed for (the simulator's record
// is the judge).
func TestMulticastRetryFailedSendsEachOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		line := e.channel(channels.KindLINE, "1650000022", 0)
		ids := e.people(line, 700)
		e.sim.Inject(line.ExternalID, sim.Injected{Status: http.StatusInternalServerError, Message: "busy"}, 1)
		b := e.broadcast(line, text("會員日"), time.Now().Add(-time.Second), ids, nil)
		e.runner(func(c *Config) { c.Dispatch.MaxAttempts = 1; c.Dispatch.Workers = 1 })
		b = e.waitStatus(b.ID, models.BroadcastDone, 20*time.Second)
		if b.SentCount != 200 || b.FailedCount != 500 {
			t.Fatalf("first round: sent %d failed %d, want 200 and 500", b.SentCount, b.FailedCount)
		}
		admin := &models.User{ID: 1, Role: models.RoleAdmin}
		moved, err := models.RetryDeliveries(db, b.ID, models.RetryFailed, admin, models.Actor{UserID: 1}, time.Now())
		if err != nil || moved != 500 {
			t.Fatalf("retry: %d %v", moved, err)
		}
		if _, err := models.RetryDeliveries(db, b.ID, models.RetryFailed, admin, models.Actor{UserID: 1}, time.Now()); err != models.ErrNothingToRetry {
			t.Fatalf("second press: %v", err)
		}
		b = e.waitStatus(b.ID, models.BroadcastDone, 20*time.Second)
		e.checkCounters(b)
		if b.SentCount != 700 || len(e.sim.Sent()) != 700 || len(e.sim.Duplicates()) != 0 {
			t.Fatalf("after the retry: sent %d, simulator %d, duplicates %d", b.SentCount, len(e.sim.Sent()), len(e.sim.Duplicates()))
		}

	})
}
