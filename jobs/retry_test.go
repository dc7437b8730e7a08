package jobs

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// Retrying the failures, pressed twice at once from two instances (two
// runners share the database), sends each failed person exactly once
// more: the simulator's record is the judge. Resending the uncertain does
// the same. The done broadcast goes back to sending and finishes again,
// its counters matching its rows.
func TestRetryFailedSendsEachOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		ch := e.channel(channels.KindMessenger, "page-retry", 0)
		ids := e.people(ch, 40)
		// The first four requests answer a platform error (Messenger code
		// 2, temporary); with one attempt allowed they end failed.
		e.sim.Inject(ch.ExternalID, sim.Injected{Status: http.StatusInternalServerError, Code: 2, Message: "temporary"}, 4)
		b := e.broadcast(ch, text("週年慶"), time.Now().Add(-time.Second), ids, nil)
		one := func(c *Config) { c.Instance = "one"; c.Dispatch.MaxAttempts = 1 }
		e.runner(one)
		e.runner(func(c *Config) { one(c); c.Instance = "two" })
		b = e.waitStatus(b.ID, models.BroadcastDone, 20*time.Second)
		if b.FailedCount != 4 || b.SentCount != 36 {
			t.Fatalf("first round: sent %d failed %d, want 36 and 4", b.SentCount, b.FailedCount)
		}
		if n := len(e.sim.Sent()); n != 36 {
			t.Fatalf("simulator recorded %d, want 36", n)
		}
		// One person's failure is not retryable: it stays failed.
		var keep models.Delivery
		db.Where("broadcast_id = ? AND state = ?", b.ID, models.DeliveryFailed).Order("id").First(&keep)
		db.Model(&keep).Update("reason", channels.ReasonNoSuchUser)
		// One sent person is marked uncertain (as a lost answer leaves it).
		var unsure models.Delivery
		db.Where("broadcast_id = ? AND state = ?", b.ID, models.DeliverySent).Order("id").First(&unsure)
		db.Model(&unsure).Updates(map[string]any{"state": models.DeliveryUncertain, "reason": channels.ReasonNoAnswer})
		db.Model(&models.Broadcast{}).Where("id = ?", b.ID).Updates(map[string]any{"sent_count": 35, "uncertain_count": 1})

		admin := &models.User{ID: 1, Role: models.RoleAdmin}
		var wg sync.WaitGroup
		moved := make([]int64, 4)
		errs := make([]error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				kind := models.RetryFailed
				if i%2 == 1 {
					kind = models.RetryUncertain
				}
				moved[i], errs[i] = models.RetryDeliveries(db, b.ID, kind, admin, models.Actor{UserID: 1}, time.Now())
			}()
		}
		wg.Wait()
		var retried, resent int64
		for i := range 4 {
			switch {
			case errs[i] == models.ErrNothingToRetry:
			case errs[i] != nil:
				t.Fatalf("press %d: %v", i, errs[i])
			case i%2 == 0:
				retried += moved[i]
			default:
				resent += moved[i]
			}
		}
		if retried != 3 || resent != 1 {
			t.Fatalf("two presses each moved %d failed and %d uncertain, want 3 and 1", retried, resent)
		}
		b = e.waitStatus(b.ID, models.BroadcastDone, 20*time.Second)
		e.checkCounters(b)
		if b.SentCount != 39 || b.FailedCount != 1 || b.UncertainCount != 0 {
			t.Errorf("after the retry: sent %d failed %d uncertain %d, want 39 1 0", b.SentCount, b.FailedCount, b.UncertainCount)
		}
		// 36 first sends, 3 retried, and the uncertain one (which had
		// been sent) once more, on purpose: resending the uncertain may
		// repeat, and it is asked for.
		if n := len(e.sim.Sent()); n != 40 {
			t.Errorf("simulator recorded %d sends, want 40", n)
		}
		var contact models.Contact
		db.First(&contact, unsure.ContactID)
		if dup := e.sim.Duplicates(); len(dup) != 1 || dup[0] != contact.ExternalID {
			t.Errorf("duplicates %v, want only the resent uncertain %s", dup, contact.ExternalID)
		}
		var kept models.Contact
		db.First(&kept, keep.ContactID)
		if n := len(e.sim.SentTo(kept.ExternalID)); n != 0 {
			t.Errorf("the no_such_user failure was sent %d times", n)
		}
		var actions []string
		db.Model(&models.AuditEntry{}).Where("broadcast_id = ? AND action IN ?", b.ID, []string{"retry", "resend"}).Pluck("action", &actions)
		if len(actions) != 2 {
			t.Errorf("audit %v, want one retry and one resend", actions)
		}
	})
}
