package models_test

// The recipients table and CSV of a large broadcast: run with
//
//	OMNICAST_BENCH_CONTACTS=1000000 OMNICAST_TEST_DATABASE_URL=… \
//	  go test ./models -run '^$' -bench 'BenchmarkRecipients/postgres' -benchtime 1x
//
// It prints FIGURE lines: a first and a middle page per status filter, a
// name search, and the whole CSV streamed (time, rows, heap in use).

import (
	"context"
	"io"
	"runtime"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
)

func BenchmarkRecipients(b *testing.B) {
	n := benchContacts(b)
	benchEachDB(b, func(b *testing.B, kind string, db *gorm.DB) {
		ch := benchLINEChannel(b, db)
		generateBenchContacts(b, db, n)
		bc := &models.Broadcast{ChannelID: ch.ID, Subject: "bench", Status: models.BroadcastDone, CreatedBy: 1, UpdatedBy: 1,
			AudienceCount: int64(n)}
		if err := db.Create(bc).Error; err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		// 80 % sent (70 % delivered, 40 % read, 1 % clicked, 0.5 % replied),
		// 5 % failed, 3 % skipped, 0.1 % uncertain, the rest pending.
		q := `INSERT INTO deliveries (broadcast_id, contact_id, state, reason, sent_at, delivered_at, read_at, clicked_at, replied_at, updated_at)
			SELECT ?, id,
				CASE WHEN id % 1000 < 800 THEN 'sent' WHEN id % 1000 < 850 THEN 'failed' WHEN id % 1000 < 880 THEN 'skipped'
				     WHEN id % 1000 < 881 THEN 'uncertain' ELSE 'pending' END,
				CASE WHEN id % 1000 >= 800 AND id % 1000 < 850 THEN 'rate_limited' WHEN id % 1000 >= 850 AND id % 1000 < 880 THEN 'unsubscribed' ELSE '' END,
				CASE WHEN id % 1000 < 800 THEN CURRENT_TIMESTAMP END,
				CASE WHEN id % 1000 < 700 THEN CURRENT_TIMESTAMP END,
				CASE WHEN id % 1000 < 400 THEN CURRENT_TIMESTAMP END,
				CASE WHEN id % 1000 < 10 THEN CURRENT_TIMESTAMP END,
				CASE WHEN id % 1000 < 5 THEN CURRENT_TIMESTAMP END, CURRENT_TIMESTAMP
			FROM contacts WHERE channel_id = ?`
		if err := db.Exec(q, bc.ID, ch.ID).Error; err != nil {
			b.Fatal(err)
		}
		if err := models.RefreshStatistics(b.Context(), db); err != nil {
			b.Fatal(err)
		}
		figure(kind, n, "generation", "%d deliveries in %.1f s (not measured below)", n, time.Since(start).Seconds())
		for range b.N {
			for _, st := range models.RecipientStatuses() {
				f := models.RecipientFilter{BroadcastID: bc.ID, Status: st}
				var next uint64
				first := benchTimings(b, 5, func() {
					var err error
					if _, next, err = models.ListRecipients(db, f); err != nil {
						b.Fatal(err)
					}
				})
				f.After = uint64(n / 2)
				mid := benchTimings(b, 5, func() {
					if _, _, err := models.ListRecipients(db, f); err != nil {
						b.Fatal(err)
					}
				})
				figure(kind, n, "recipients", "%-9s first page median %6.1f ms max %6.1f ms; middle page median %6.1f ms max %6.1f ms (more: %v)",
					st, ms(first[2]), ms(first[4]), ms(mid[2]), ms(mid[4]), next > 0)
			}
			search := benchTimings(b, 5, func() {
				if _, _, err := models.ListRecipients(db, models.RecipientFilter{BroadcastID: bc.ID, Q: "no such name at all"}); err != nil {
					b.Fatal(err)
				}
			})
			figure(kind, n, "recipients", "name search with no match: median %.1f ms max %.1f ms", ms(search[2]), ms(search[4]))
			var peak uint64
			done := make(chan struct{})
			go func() {
				var m runtime.MemStats
				for {
					select {
					case <-done:
						return
					case <-time.After(100 * time.Millisecond):
						runtime.ReadMemStats(&m)
						peak = max(peak, m.HeapInuse)
					}
				}
			}()
			t := time.Now()
			rows, err := models.ExportRecipients(context.Background(), db, models.RecipientFilter{BroadcastID: bc.ID}, io.Discard,
				time.UTC, func(s string) string { return s })
			close(done)
			if err != nil {
				b.Fatal(err)
			}
			figure(kind, n, "recipients csv", "%d rows in %.1f s, peak heap in use %.0f MB", rows, time.Since(t).Seconds(), float64(peak)/(1<<20))
		}
	})
}
