package models_test

import (
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// receiptFixture is a channel with people and sent deliveries.
type receiptFixture struct {
	t  *testing.T
	db *gorm.DB
	ch *models.Channel
}

func newReceiptFixture(t *testing.T, db *gorm.DB, kind string) *receiptFixture {
	return &receiptFixture{t: t, db: db, ch: mustChannel(t, db, kind)}
}

// person creates a contact.
func (f *receiptFixture) person(id string) uint64 {
	f.t.Helper()
	c := models.Contact{ChannelID: f.ch.ID, ExternalID: id, Name: id, Subscribed: true}
	if err := f.db.Create(&c).Error; err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

// broadcast creates a sending broadcast with one sent delivery per
// (contact, provider id, sent time); it returns the broadcast.
func (f *receiptFixture) broadcast(sends ...sentTo) *models.Broadcast {
	f.t.Helper()
	b := models.Broadcast{ChannelID: f.ch.ID, Subject: "s", Status: models.BroadcastSending, SentCount: int64(len(sends))}
	if err := f.db.Create(&b).Error; err != nil {
		f.t.Fatal(err)
	}
	for _, s := range sends {
		state := models.DeliverySent
		if s.state != "" {
			state = s.state
		}
		d := models.Delivery{BroadcastID: b.ID, ContactID: s.contact, State: state, ProviderMessageID: s.mid, UpdatedAt: at(0)}
		if state == models.DeliverySent {
			sent := s.at
			d.SentAt = &sent
		}
		if err := f.db.Create(&d).Error; err != nil {
			f.t.Fatal(err)
		}
	}
	return &b
}

type sentTo struct {
	contact uint64
	mid     string
	at      time.Time
	state   string
}

// receive stores a receipt through the webhook path.
func (f *receiptFixture) receive(ev channels.Event) {
	f.t.Helper()
	apply(f.t, f.db, f.ch, ev, nil)
}

// run applies every due receipt at now.
func (f *receiptFixture) run(now time.Time) models.ReceiptBatch {
	f.t.Helper()
	var total models.ReceiptBatch
	for {
		b, err := models.ApplyReceipts(f.db, 100, now)
		if err != nil {
			f.t.Fatal(err)
		}
		total.Events += b.Events
		total.Applied += b.Applied
		total.SetAside += b.SetAside
		total.Waiting += b.Waiting
		total.Delivered += b.Delivered
		total.Read += b.Read
		total.Failed += b.Failed
		total.Restored += b.Restored
		if b.Events < 100 {
			return total
		}
	}
}

func (f *receiptFixture) delivery(b *models.Broadcast, contact uint64) models.Delivery {
	f.t.Helper()
	var d models.Delivery
	if err := f.db.Where("broadcast_id = ? AND contact_id = ?", b.ID, contact).Take(&d).Error; err != nil {
		f.t.Fatal(err)
	}
	return d
}

// counters checks a broadcast's maintained counters against its rows.
func (f *receiptFixture) counters(b *models.Broadcast) *models.Broadcast {
	f.t.Helper()
	got, err := models.FindBroadcast(f.db, b.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	count := func(where string, args ...any) int64 {
		var n int64
		q := f.db.Model(&models.Delivery{}).Where("broadcast_id = ?", b.ID).Where(where, args...)
		if err := q.Count(&n).Error; err != nil {
			f.t.Fatal(err)
		}
		return n
	}
	for _, c := range []struct {
		name      string
		have, row int64
	}{
		{"sent", got.SentCount, count("state = ?", models.DeliverySent)},
		{"failed", got.FailedCount, count("state = ?", models.DeliveryFailed)},
		{"delivered", got.DeliveredCount, count("delivered_at IS NOT NULL")},
		{"read", got.ReadCount, count("read_at IS NOT NULL")},
	} {
		if c.have != c.row {
			f.t.Errorf("broadcast %d: %s_count = %d, rows say %d", b.ID, c.name, c.have, c.row)
		}
	}
	return got
}

func sameTime(p *time.Time, want time.Time) bool { return p != nil && p.Equal(want) }

// TestWhatsAppStatusesInAnyOrder: read before delivered sets both; the
// later delivered moves delivered_at earlier and never undoes read;
// duplicates (a redelivered webhook, a second pass) change nothing; the
// counters follow the rows.
func TestWhatsAppStatusesInAnyOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newReceiptFixture(t, db, channels.KindWhatsApp)
		a, b := f.person("886900000001"), f.person("886900000002")
		bc := f.broadcast(sentTo{contact: a, mid: "wamid.A", at: at(0)}, sentTo{contact: b, mid: "wamid.B", at: at(0)})
		status := func(mid, st string, min int) channels.Event {
			return channels.Event{Kind: channels.EventStatus, DedupeKey: mid + ":" + st, MessageID: mid, Status: st, Time: at(min)}
		}
		f.receive(status("wamid.A", "read", 5))
		f.receive(status("wamid.A", "read", 5)) // redelivered: dropped by its dedupe key
		got := f.run(at(6))
		if got.Applied != 1 || got.Delivered != 1 || got.Read != 1 {
			t.Fatalf("first pass %+v, want one receipt setting delivered and read", got)
		}
		d := f.delivery(bc, a)
		if !sameTime(d.ReadAt, at(5)) || !sameTime(d.DeliveredAt, at(5)) {
			t.Fatalf("after read: delivered %v read %v, want both at 5", d.DeliveredAt, d.ReadAt)
		}
		f.receive(status("wamid.A", "delivered", 2)) // overtaken by the read
		f.receive(status("wamid.A", "sent", 1))
		f.receive(status("wamid.B", "delivered", 3))
		got = f.run(at(7))
		if got.Applied != 3 || got.Delivered != 1 || got.Read != 0 {
			t.Fatalf("second pass %+v, want 3 applied, one new delivered (B)", got)
		}
		d = f.delivery(bc, a)
		if !sameTime(d.ReadAt, at(5)) || !sameTime(d.DeliveredAt, at(2)) || d.State != models.DeliverySent {
			t.Fatalf("after late delivered: %s delivered %v read %v, want sent, delivered at 2, read kept at 5", d.State, d.DeliveredAt, d.ReadAt)
		}
		// The same receipts stored again (another key) count nothing twice.
		f.receive(channels.Event{Kind: channels.EventStatus, DedupeKey: "again", MessageID: "wamid.B", Status: "delivered", Time: at(3)})
		f.receive(channels.Event{Kind: channels.EventStatus, DedupeKey: "again2", MessageID: "wamid.A", Status: "read", Time: at(5)})
		if got = f.run(at(8)); got.Delivered != 0 || got.Read != 0 || got.Applied != 2 {
			t.Fatalf("duplicates %+v, want applied with no change", got)
		}
		c := f.counters(bc)
		if c.DeliveredCount != 2 || c.ReadCount != 1 || c.SentCount != 2 {
			t.Errorf("counters delivered %d read %d sent %d, want 2 1 2", c.DeliveredCount, c.ReadCount, c.SentCount)
		}
		if n, _ := models.PendingReceipts(db); n != 0 {
			t.Errorf("%d receipts left unapplied", n)
		}
	})
}

// TestWhatsAppFailedStatus: a failed status fails the delivery with the
// reason of its code and the platform's words; it does not fail a
// message already delivered; a delivered status after it restores it.
func TestWhatsAppFailedStatus(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newReceiptFixture(t, db, channels.KindWhatsApp)
		a, b, c := f.person("886900000001"), f.person("886900000002"), f.person("886900000003")
		bc := f.broadcast(sentTo{contact: a, mid: "wamid.A", at: at(0)}, sentTo{contact: b, mid: "wamid.B", at: at(0)},
			sentTo{contact: c, mid: "wamid.C", at: at(0)})
		failed := func(mid string, code int, min int) channels.Event {
			return channels.Event{Kind: channels.EventStatus, DedupeKey: mid + ":failed", MessageID: mid, Status: "failed",
				ErrorCode: code, ErrorTitle: "Message undeliverable", Time: at(min)}
		}
		f.receive(failed("wamid.A", 131026, 1))
		f.receive(channels.Event{Kind: channels.EventStatus, DedupeKey: "B:delivered", MessageID: "wamid.B", Status: "delivered", Time: at(1)})
		f.receive(failed("wamid.B", 131049, 2)) // after delivered: ignored
		f.receive(failed("wamid.C", 131026, 1))
		got := f.run(at(5))
		if got.Failed != 2 || got.Restored != 0 {
			t.Fatalf("first pass %+v, want 2 failed (A, C), B kept", got)
		}
		if dc := f.delivery(bc, c); dc.State != models.DeliveryFailed {
			t.Fatalf("C: %s, want failed", dc.State)
		}
		f.counters(bc)
		// C's read comes later: it did arrive.
		f.receive(channels.Event{Kind: channels.EventStatus, DedupeKey: "C:read", MessageID: "wamid.C", Status: "read", Time: at(3)})
		if got = f.run(at(6)); got.Restored != 1 || got.Read != 1 {
			t.Fatalf("second pass %+v, want C restored and read", got)
		}
		da := f.delivery(bc, a)
		if da.State != models.DeliveryFailed || da.Reason != channels.ReasonUnavailable || da.Detail != "WhatsApp 131026: Message undeliverable" {
			t.Errorf("A: %s %q %q, want failed unavailable with the code and title", da.State, da.Reason, da.Detail)
		}
		if db := f.delivery(bc, b); db.State != models.DeliverySent || !sameTime(db.DeliveredAt, at(1)) {
			t.Errorf("B: %s delivered %v, want still sent and delivered", db.State, db.DeliveredAt)
		}
		if dc := f.delivery(bc, c); dc.State != models.DeliverySent || dc.Reason != "" || !sameTime(dc.ReadAt, at(3)) {
			t.Errorf("C: %s %q read %v, want sent again, read", dc.State, dc.Reason, dc.ReadAt)
		}
		cnt := f.counters(bc)
		if cnt.SentCount != 2 || cnt.FailedCount != 1 {
			t.Errorf("sent %d failed %d, want 2 1", cnt.SentCount, cnt.FailedCount)
		}
		for code, want := range map[int]string{131026: channels.ReasonUnavailable, 131047: channels.ReasonOutsideWindow,
			131049: channels.ReasonEcosystem, 131048: channels.ReasonSpamLimit, 131056: channels.ReasonRateLimited, 999: channels.ReasonUnknown} {
			if got := models.WhatsAppStatusReason(code); got != want {
				t.Errorf("reason of %d = %q, want %q", code, got, want)
			}
		}
	})
}

// TestMessengerWatermarks: a delivery or read watermark covers every
// message sent to that person up to it (with the clock slack), in every
// broadcast, and nobody else's; a delivery's mids are matched exactly.
func TestMessengerWatermarks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newReceiptFixture(t, db, channels.KindMessenger)
		p, q := f.person("PSID-1"), f.person("PSID-2")
		b1 := f.broadcast(sentTo{contact: p, mid: "m.1", at: at(0)}, sentTo{contact: q, mid: "m.q", at: at(0)})
		b2 := f.broadcast(sentTo{contact: p, mid: "m.2", at: at(10)})
		wm := func(min int) *time.Time { w := at(min); return &w }
		// The delivery watermark is a second before p's first message was
		// recorded: the slack still covers it, not the later one.
		f.receive(channels.Event{Kind: channels.EventDelivery, DedupeKey: "d1", UserID: "PSID-1", Watermark: wm(0).Add(-time.Second), Time: at(1)})
		got := f.run(at(2))
		if got.Delivered != 1 {
			t.Fatalf("delivery watermark %+v, want one delivered", got)
		}
		if d := f.delivery(b1, p); !sameTime(d.DeliveredAt, at(1)) || d.ReadAt != nil {
			t.Errorf("p in b1: delivered %v read %v", d.DeliveredAt, d.ReadAt)
		}
		if d := f.delivery(b2, p); d.DeliveredAt != nil {
			t.Errorf("p in b2 delivered %v by an earlier watermark", d.DeliveredAt)
		}
		// The read watermark covers both of p's messages; read sets
		// delivered on the second.
		f.receive(channels.Event{Kind: channels.EventRead, DedupeKey: "r1", UserID: "PSID-1", Watermark: at(10), Time: at(12)})
		// q's delivery by its mid, with a watermark before the send.
		f.receive(channels.Event{Kind: channels.EventDelivery, DedupeKey: "d2", UserID: "PSID-2", MessageIDs: []string{"m.q"}, Watermark: at(-5), Time: at(3)})
		got = f.run(at(13))
		if got.Read != 2 || got.Delivered != 2 {
			t.Fatalf("read watermark %+v, want two read, two delivered (p in b2, q)", got)
		}
		if d := f.delivery(b2, p); !sameTime(d.ReadAt, at(12)) || !sameTime(d.DeliveredAt, at(12)) {
			t.Errorf("p in b2: delivered %v read %v, want both at 12", d.DeliveredAt, d.ReadAt)
		}
		if d := f.delivery(b1, p); !sameTime(d.DeliveredAt, at(1)) || !sameTime(d.ReadAt, at(12)) {
			t.Errorf("p in b1: delivered %v read %v, want 1 and 12", d.DeliveredAt, d.ReadAt)
		}
		if d := f.delivery(b1, q); !sameTime(d.DeliveredAt, at(3)) || d.ReadAt != nil {
			t.Errorf("q: delivered %v read %v, want delivered at 3 only", d.DeliveredAt, d.ReadAt)
		}
		f.counters(b1)
		f.counters(b2)
	})
}

// TestReceiptWaitsForItsSend: a receipt that overtakes the recording of
// its send waits and is applied on a later try; one that never names a
// delivery is set aside after its tries.
func TestReceiptWaitsForItsSend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newReceiptFixture(t, db, channels.KindWhatsApp)
		a := f.person("886900000001")
		bc := f.broadcast(sentTo{contact: a, state: models.DeliveryClaimed})
		f.receive(channels.Event{Kind: channels.EventStatus, DedupeKey: "x:delivered", MessageID: "wamid.X", Status: "delivered", Time: at(1)})
		f.receive(channels.Event{Kind: channels.EventStatus, DedupeKey: "y:delivered", MessageID: "wamid.Y", Status: "delivered", Time: at(1)})
		if got := f.run(at(2)); got.Waiting != 2 || got.Applied != 0 {
			t.Fatalf("first try %+v, want both waiting", got)
		}
		if got := f.run(at(2)); got.Events != 0 {
			t.Fatalf("tried again at once: %+v", got)
		}
		// The send's answer is recorded meanwhile.
		if err := db.Model(&models.Delivery{}).Where("broadcast_id = ?", bc.ID).
			Updates(map[string]any{"state": models.DeliverySent, "provider_message_id": "wamid.X", "sent_at": at(1)}).Error; err != nil {
			t.Fatal(err)
		}
		if got := f.run(at(2).Add(time.Minute)); got.Applied != 1 || got.Delivered != 1 || got.Waiting != 1 {
			t.Fatalf("second try %+v, want X applied, Y waiting", got)
		}
		var aside models.ReceiptBatch
		for i := range 10 {
			aside = f.run(at(30 + 10*i))
			if aside.SetAside > 0 {
				break
			}
		}
		if aside.SetAside != 1 {
			t.Fatalf("Y never set aside: %+v", aside)
		}
		if n, _ := models.PendingReceipts(db); n != 0 {
			t.Errorf("%d receipts left", n)
		}
	})
}

// TestReceiptsTwoAppliers: two appliers at once (two instances) apply
// every receipt once; the counters match the rows.
func TestReceiptsTwoAppliers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newReceiptFixture(t, db, channels.KindWhatsApp)
		var sends []sentTo
		for i := range 60 {
			id := f.person("88690000" + string(rune('A'+i/26)) + string(rune('a'+i%26)))
			sends = append(sends, sentTo{contact: id, mid: "wamid." + string(rune('A'+i/26)) + string(rune('a'+i%26)), at: at(0)})
		}
		bc := f.broadcast(sends...)
		for _, s := range sends {
			for _, st := range []string{"read", "delivered", "sent"} {
				f.receive(channels.Event{Kind: channels.EventStatus, DedupeKey: s.mid + ":" + st, MessageID: s.mid, Status: st, Time: at(2)})
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var delivered, read int64
		for range 2 {
			wg.Go(func() {
				for {
					b, err := models.ApplyReceipts(db, 7, at(3))
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					delivered, read = delivered+b.Delivered, read+b.Read
					mu.Unlock()
					if b.Events == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		if delivered != 60 || read != 60 {
			t.Errorf("delivered %d read %d, want 60 each", delivered, read)
		}
		c := f.counters(bc)
		if c.DeliveredCount != 60 || c.ReadCount != 60 {
			t.Errorf("counters %d %d", c.DeliveredCount, c.ReadCount)
		}
	})
}
