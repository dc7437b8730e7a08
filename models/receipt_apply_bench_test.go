package models_test

// Applying stored receipts, as the periodic job does: run with
//
//	OMNICAST_BENCH_RECEIPTS=20000 OMNICAST_TEST_DATABASE_URL=… \
//	  go test ./models -run '^$' -bench BenchmarkApplyReceipts -benchtime 1x
//
// It stores, for n sent WhatsApp deliveries, their sent, delivered and read
// statuses (3n receipts, in a shuffled order), and for n sent Messenger
// deliveries their delivery (with the mid) and read watermarks (2n), and
// prints a FIGURE line per platform with the time to apply them all in
// batches of 500.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
)

func BenchmarkApplyReceipts(b *testing.B) {
	n := 20000
	if s := os.Getenv("OMNICAST_BENCH_RECEIPTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 100 {
			b.Fatalf("OMNICAST_BENCH_RECEIPTS=%q: want a whole number >= 100", s)
		}
		n = v
	}
	benchEachDB(b, func(b *testing.B, kind string, db *gorm.DB) {
		benchReceipts(b, kind, db, channels.KindWhatsApp, n)
		benchReceipts(b, kind, db, channels.KindMessenger, n)
	})
}

func benchReceipts(b *testing.B, kind string, db *gorm.DB, platform string, n int) {
	ch := &models.Channel{Kind: platform, Name: "bench " + platform, ExternalID: "bench-" + platform, Credentials: []byte{}}
	if err := db.Create(ch).Error; err != nil {
		b.Fatal(err)
	}
	bc := models.Broadcast{ChannelID: ch.ID, Subject: "bench", Status: models.BroadcastDone, SentCount: int64(n)}
	if err := db.Create(&bc).Error; err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	contacts := make([]models.Contact, n)
	for i := range contacts {
		contacts[i] = models.Contact{ChannelID: ch.ID, ExternalID: fmt.Sprintf("8869%08d", i), Subscribed: true}
	}
	if err := db.CreateInBatches(contacts, 1000).Error; err != nil {
		b.Fatal(err)
	}
	ds := make([]models.Delivery, n)
	for i := range ds {
		ds[i] = models.Delivery{BroadcastID: bc.ID, ContactID: contacts[i].ID, State: models.DeliverySent,
			ProviderMessageID: fmt.Sprintf("%s.%d", platform, i), SentAt: &t0, UpdatedAt: t0}
	}
	if err := db.CreateInBatches(ds, 1000).Error; err != nil {
		b.Fatal(err)
	}
	var evs []models.ReceiptEvent
	for i := range n {
		mid := fmt.Sprintf("%s.%d", platform, i)
		if platform == channels.KindWhatsApp {
			for j, st := range []string{"sent", "delivered", "read"} {
				evs = append(evs, models.ReceiptEvent{ChannelID: ch.ID, Kind: string(channels.EventStatus), MessageID: mid,
					Status: st, OccurredAt: t0.Add(time.Duration(j+1) * time.Second), CreatedAt: t0})
			}
			continue
		}
		wm := t0.Add(time.Second)
		evs = append(evs,
			models.ReceiptEvent{ChannelID: ch.ID, Kind: string(channels.EventDelivery), UserID: contacts[i].ExternalID, MessageIDs: mid,
				Watermark: &wm, OccurredAt: t0.Add(2 * time.Second), CreatedAt: t0},
			models.ReceiptEvent{ChannelID: ch.ID, Kind: string(channels.EventRead), UserID: contacts[i].ExternalID,
				Watermark: &wm, OccurredAt: t0.Add(3 * time.Second), CreatedAt: t0})
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	if err := db.CreateInBatches(evs, 1000).Error; err != nil {
		b.Fatal(err)
	}
	if err := models.RefreshStatistics(b.Context(), db); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	var applied int
	for {
		r, err := models.ApplyReceipts(db, 500, t0.Add(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		applied += r.Applied
		if r.Events == 0 {
			break
		}
	}
	took := time.Since(start)
	got, _ := models.FindBroadcast(db, bc.ID)
	if applied != len(evs) || got.DeliveredCount != int64(n) || got.ReadCount != int64(n) {
		b.Fatalf("applied %d, delivered %d, read %d; want %d, %d, %d", applied, got.DeliveredCount, got.ReadCount, len(evs), n, n)
	}
	figure(kind, n, "receipts", "%s: %d receipts applied in %.1f s (%.0f receipts/s)", platform, applied, took.Seconds(), float64(applied)/took.Seconds())
}
