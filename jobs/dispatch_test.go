package jobs

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// Every kind of broadcast goes to every eligible person exactly once,
// through the simulator, on both databases: LINE identical content by
// multicast, LINE personalised content by push, Messenger standard and
// tagged; with the per-person checks at send time and the tags put on.
func TestDispatchSendsEachPersonOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		line := e.channel(channels.KindLINE, "1650000001", 0)
		fb := e.channel(channels.KindMessenger, "100000000000001", 0)
		lineIDs := e.people(line, 1200)
		fbIDs := e.people(fb, 300)
		past := time.Now().Add(-time.Second)

		// Messenger: one person unsubscribed since the freeze, one whose
		// window closed (standard message: skipped without a call).
		old := time.Now().Add(-25 * time.Hour)
		if err := db.Model(&models.Contact{}).Where("id = ?", fbIDs[0]).Update("subscribed", false).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&models.Contact{}).Where("id = ?", fbIDs[1]).Update("last_interaction_at", old).Error; err != nil {
			t.Fatal(err)
		}
		multi := e.broadcast(line, text("週年慶開跑"), past, lineIDs, func(b *models.Broadcast) { b.ApplyTags = `["週年慶"]` })
		push := e.broadcast(line, text("嗨 "+channels.NameParam+"，週年慶開跑"), past, lineIDs[:300], nil)
		std := e.broadcast(fb, text("standard"), past, fbIDs, nil)
		tagged := e.broadcast(fb, text("您的訂單已出貨"), past, fbIDs, func(b *models.Broadcast) { b.MessageTag = models.TagPostPurchase })

		e.runner(nil)
		for _, b := range []*models.Broadcast{multi, push, std, tagged} {
			done := e.waitStatus(b.ID, models.BroadcastDone, 60*time.Second)
			e.checkCounters(done)
			if done.StartedAt == nil || done.FinishedAt == nil || done.SentContent == "" {
				t.Errorf("broadcast %d: started %v finished %v content %q", b.ID, done.StartedAt, done.FinishedAt, done.SentContent)
			}
		}
		if d := e.sim.Duplicates(); len(d) > 0 {
			t.Fatalf("duplicates: %v", d[:min(5, len(d))])
		}
		want := map[uint]map[string]int64{
			multi.ID:  {models.DeliverySent: 1200},
			push.ID:   {models.DeliverySent: 300},
			std.ID:    {models.DeliverySent: 298, models.DeliverySkipped: 2},
			tagged.ID: {models.DeliverySent: 299, models.DeliverySkipped: 1},
		}
		for id, w := range want {
			got := e.states(id)
			for k, v := range w {
				if got[k] != v {
					t.Errorf("broadcast %d: %s = %d, want %d (all: %v)", id, k, got[k], v, got)
				}
			}
		}
		var reasons []string
		db.Model(&models.Delivery{}).Where("broadcast_id = ? AND state = ?", std.ID, models.DeliverySkipped).Order("contact_id").Pluck("reason", &reasons)
		if len(reasons) != 2 || reasons[0] != models.SkipUnsubscribed || reasons[1] != models.SkipOutsideWindow {
			t.Errorf("skip reasons %v", reasons)
		}

		// What went out: multicasts of ≤ 500 under one retry key each,
		// pushes one per person with their name, Messenger tags.
		keys := map[string]int{}
		var lineSent, fbTagged int
		for _, s := range e.sim.Sent() {
			switch s.Kind {
			case channels.KindLINE:
				lineSent++
				if s.RetryKey == "" {
					t.Fatalf("LINE request without a retry key: %s", s.Body)
				}
				keys[s.RetryKey]++
			case channels.KindMessenger:
				if contains(string(s.Body), "POST_PURCHASE_UPDATE") {
					fbTagged++
				}
			}
		}
		if lineSent != 1500 {
			t.Errorf("LINE messages recorded %d, want 1500", lineSent)
		}
		batches := 0
		for _, n := range keys {
			if n > 500 {
				t.Errorf("a retry key covers %d people", n)
			}
			if n > 1 {
				batches++
			}
		}
		if batches != 3 { // 1200 people: 500 + 500 + 200
			t.Errorf("multicast requests %d, want 3", batches)
		}
		if fbTagged != 299 {
			t.Errorf("tagged Messenger messages %d, want 299", fbTagged)
		}
		var tagged1200 int64
		db.Raw("SELECT COUNT(*) FROM contact_tags JOIN tags ON tags.id = contact_tags.tag_id WHERE tags.name = ?", "週年慶").Scan(&tagged1200)
		if tagged1200 != 1200 {
			t.Errorf("contacts tagged %d, want 1200", tagged1200)
		}
	})
}

func contains(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
