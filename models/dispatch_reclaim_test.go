package models_test

import (
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// sendingWith writes a sending broadcast on ch with n pending deliveries.
func sendingWith(t *testing.T, db *gorm.DB, ch *models.Channel, n int) *models.Broadcast {
	t.Helper()
	now := time.Now()
	b := &models.Broadcast{ChannelID: ch.ID, Subject: "s", Status: models.BroadcastSending, StartedAt: &now, CreatedBy: 1, UpdatedBy: 1,
		AudienceCount: int64(n), FrozenCount: int64(n), PendingCount: int64(n)}
	if err := db.Create(b).Error; err != nil {
		t.Fatal(err)
	}
	for i := range n {
		c := models.Contact{ChannelID: ch.ID, ExternalID: "r" + strconv.Itoa(i) + "-" + strconv.FormatUint(uint64(b.ID), 10), Subscribed: true}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: models.DeliveryPending, UpdatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// A crashed worker's claim without retry keys is split at the reclaim:
// rows whose request was dispatched become uncertain, the others go back
// to the queue and are sent later; a LINE claim (keys) goes back whole.
func TestReclaimSplitsDispatchedFromWaiting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := time.Now()
		page := newChannel(t, db, channels.KindMessenger, "page")
		b := sendingWith(t, db, page, 5)
		rows, err := models.ClaimDeliveries(db, models.ClaimSpec{BroadcastID: b.ID, ClaimID: "c1", Limit: 4, Lease: time.Minute, Keys: models.KeysNone, Now: now})
		if err != nil || len(rows) != 4 {
			t.Fatalf("claim: %v %d", err, len(rows))
		}
		marked, err := models.MarkDispatched(db, []string{"c1", "other"}, []uint64{rows[0].DeliveryID, rows[1].DeliveryID}, now)
		if err != nil || len(marked) != 2 {
			t.Fatalf("mark: %v %v", err, marked)
		}
		if m, _ := models.MarkDispatched(db, []string{"someone-else"}, []uint64{rows[2].DeliveryID}, now); len(m) != 0 {
			t.Fatal("a row of another claim was marked")
		}

		oa := newChannel(t, db, channels.KindLINE, "oa")
		lb := sendingWith(t, db, oa, 2)
		if _, err := models.ClaimDeliveries(db, models.ClaimSpec{BroadcastID: lb.ID, ClaimID: "c2", Limit: 2, Lease: time.Minute, Keys: models.KeysEach, Now: now}); err != nil {
			t.Fatal(err)
		}

		requeued, uncertain, err := models.ReclaimExpired(db, now.Add(2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if requeued != 4 || uncertain != 2 {
			t.Fatalf("requeued %d (want 2 waiting + 2 LINE), uncertain %d (want the 2 dispatched)", requeued, uncertain)
		}
		got, _ := models.FindBroadcast(db, b.ID)
		if got.UncertainCount != 2 || got.PendingCount != 3 {
			t.Fatalf("counters: uncertain %d pending %d", got.UncertainCount, got.PendingCount)
		}
		var states []struct {
			ID    uint64
			State string
		}
		db.Model(&models.Delivery{}).Select("id, state").Where("broadcast_id = ?", b.ID).Order("id").Scan(&states)
		for i, s := range states[:4] {
			want := models.DeliveryPending
			if i < 2 {
				want = models.DeliveryUncertain
			}
			if s.State != want {
				t.Errorf("row %d: %s, want %s", i, s.State, want)
			}
		}
		again, err := models.ClaimDeliveries(db, models.ClaimSpec{BroadcastID: b.ID, ClaimID: "c3", Limit: 10, Lease: time.Minute, Keys: models.KeysNone, Now: now})
		if err != nil || len(again) != 3 {
			t.Fatalf("the undispatched rows are not claimable again: %v %d", err, len(again))
		}
	})
}

// Claiming a LINE multicast batch writes the batch row, not its people's;
// a batch whose holder died is retried whole after its lease, under its
// key, and the next batch starts right after its range.
func TestMulticastBatchClaimAndReclaim(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		oa := newChannel(t, db, channels.KindLINE, "oa-batch")
		b := sendingWith(t, db, oa, 7)
		claim := func(id string, lease time.Duration) []models.Claimed {
			t.Helper()
			rows, err := models.ClaimDeliveries(db, models.ClaimSpec{BroadcastID: b.ID, ClaimID: id, Limit: 5, Lease: lease, Keys: models.KeysBatch, Now: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
		first := claim("dead", time.Millisecond)
		if len(first) != 5 || first[0].BatchID == nil || first[0].RetryKey == "" || first[4].RetryKey != first[0].RetryKey {
			t.Fatalf("first batch: %+v", first)
		}
		var pending int64
		db.Model(&models.Delivery{}).Where("broadcast_id = ? AND state = ? AND claim_id = ''", b.ID, models.DeliveryPending).Count(&pending)
		if pending != 7 {
			t.Fatalf("claiming a batch wrote its delivery rows: %d untouched, want 7", pending)
		}
		second := claim("live", time.Minute)
		if len(second) != 2 || *second[0].BatchID == *first[0].BatchID || second[0].DeliveryID <= first[4].DeliveryID {
			t.Fatalf("second batch: %+v", second)
		}
		if len(claim("other", time.Minute)) != 0 {
			t.Fatal("a held batch was claimed again")
		}
		time.Sleep(5 * time.Millisecond)
		requeued, uncertain, err := models.ReclaimExpired(db, time.Now())
		if err != nil || requeued != 1 || uncertain != 0 {
			t.Fatalf("reclaim: %d %d %v", requeued, uncertain, err)
		}
		again := claim("next", time.Minute)
		if len(again) != 5 || *again[0].BatchID != *first[0].BatchID || again[0].RetryKey != first[0].RetryKey || again[0].Attempts != 2 {
			t.Fatalf("reclaimed batch: %+v", again)
		}
		// The dead holder's late answer is refused; the new holder's lands.
		outs := make([]models.Outcome, len(again))
		for i, r := range again {
			outs[i] = models.Outcome{DeliveryID: r.DeliveryID, ContactID: r.ContactID, State: models.DeliverySent}
		}
		if n, err := models.RecordBatchOutcomes(db, b.ID, *first[0].BatchID, "dead", outs, nil, time.Now()); err != nil || n.Sent != 0 {
			t.Fatalf("a lost claim's answer was written: %+v %v", n, err)
		}
		if n, err := models.RecordBatchOutcomes(db, b.ID, *again[0].BatchID, "next", outs, nil, time.Now()); err != nil || n.Sent != 5 {
			t.Fatalf("answer: %+v %v", n, err)
		}
		var sb models.Broadcast
		db.First(&sb, b.ID)
		if sb.SentCount != 5 || sb.PendingCount != 2 {
			t.Fatalf("counters: sent %d pending %d", sb.SentCount, sb.PendingCount)
		}
	})
}
