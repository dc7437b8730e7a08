package jobs

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestReceiptsFromTheSimulator: a WhatsApp broadcast goes out through the
// simulator, whose status webhooks (sent, delivered, read; failed 131026
// for a person who left) are stored as the webhook handler stores them;
// the periodic receipts job then marks the deliveries delivered and read,
// fails the undeliverable one with its reason, keeps the counters right
// and counts the receipts in its metric. A Messenger broadcast's
// delivery and read watermarks do the same.
func TestReceiptsFromTheSimulator(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{ReceiptDelay: 10 * time.Millisecond})
		wa := e.channel(channels.KindWhatsApp, "1500000001", 0)
		e.hooks(wa)
		e.waTemplate(wa, "spring_sale")
		waPeople := e.people(wa, 5)
		var gone models.Contact
		db.First(&gone, waPeople[4])
		e.sim.Unfollow(t.Context(), wa.ExternalID, gone.ExternalID) // WhatsApp: no webhook, the message fails
		ms := e.channel(channels.KindMessenger, "page-1", 0)
		e.hooks(ms)
		msPeople := e.people(ms, 4)

		r := e.runner(nil)
		content := models.BroadcastContent{Template: &models.TemplateSpec{Name: "spring_sale", Language: "zh_TW",
			BodyParams: []models.ParamSpec{{ContactName: true}}}}
		bw := e.broadcast(wa, content, time.Now(), waPeople, nil)
		bm := e.broadcast(ms, text("hello {{name}}"), time.Now(), msPeople, nil)
		r.Schedule(bw.ID, time.Now())
		r.Schedule(bm.ID, time.Now())
		e.waitStatus(bw.ID, models.BroadcastDone, 20*time.Second)
		e.waitStatus(bm.ID, models.BroadcastDone, 20*time.Second)

		waitFor(t, 20*time.Second, "receipts applied", func() bool {
			w, _ := models.FindBroadcast(db, bw.ID)
			m, _ := models.FindBroadcast(db, bm.ID)
			return w.ReadCount == 4 && w.FailedCount == 1 && m.ReadCount == 4 && m.DeliveredCount == 4
		})
		for _, b := range []*models.Broadcast{bw, bm} {
			b, _ = models.FindBroadcast(db, b.ID)
			e.checkCounters(b)
			var unread int64
			db.Model(&models.Delivery{}).Where("broadcast_id = ? AND state = ? AND (delivered_at IS NULL OR read_at IS NULL)", b.ID, models.DeliverySent).Count(&unread)
			if unread != 0 {
				t.Errorf("broadcast %d: %d sent deliveries without delivered and read times", b.ID, unread)
			}
		}
		var failed models.Delivery
		db.Where("broadcast_id = ? AND contact_id = ?", bw.ID, gone.ID).Take(&failed)
		if failed.State != models.DeliveryFailed || failed.Reason != channels.ReasonUnavailable {
			t.Errorf("the person who left: %s %q, want failed %q", failed.State, failed.Reason, channels.ReasonUnavailable)
		}
		// 4 × (sent, delivered, read) + 1 failed on WhatsApp; 4 × (delivery, read) on Messenger.
		if got := counterValue(t, r.dispatch.m.receipts); got != 12+1+8 {
			t.Errorf("receipts applied metric = %v, want 21", got)
		}
		if n, _ := models.PendingReceipts(db); n != 0 {
			t.Errorf("%d receipts left unapplied", n)
		}
	})
}

// counterValue reads a Prometheus counter.
func counterValue(t testing.TB, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
