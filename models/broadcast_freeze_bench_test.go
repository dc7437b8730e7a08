package models_test

// Freezing a large audience: run with
//
//	OMNICAST_BENCH_CONTACTS=1000000 OMNICAST_TEST_DATABASE_URL=… \
//	  go test ./models -run '^$' -bench BenchmarkFreezeAudience -benchtime 1x
//
// It prints FIGURE lines: the confirmation figures' count, the confirming
// request (which only moves the broadcast), and the background freeze in
// batches (the worker's way) and in one statement, per database.

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
)

func BenchmarkFreezeAudience(b *testing.B) {
	n := benchContacts(b)
	benchEachDB(b, func(b *testing.B, kind string, db *gorm.DB) {
		ch := benchLINEChannel(b, db)
		generateBenchContacts(b, db, n)
		if err := models.RefreshStatistics(b.Context(), db); err != nil {
			b.Fatal(err)
		}
		d := models.Draft{ChannelID: ch.ID, Subject: "bench", SendNow: true, Audience: models.AudienceSpec{Filter: "status=all"},
			Content: models.BroadcastContent{Messages: []models.MessageSpec{{Type: models.MessageText, Text: "hi"}}}}
		for range b.N {
			start := time.Now()
			fig, err := models.ConfirmationFigures(db, d, benchNow, nil)
			if err != nil {
				b.Fatal(err)
			}
			figure(kind, n, "figures", "audience %d sendable %d in %.0f ms", fig.Audience, fig.Sendable, ms(time.Since(start)))
			for _, batch := range []int64{models.FreezeBatch, 0} {
				bc, err := models.SaveDraft(db, d, 0, 0, models.Actor{UserID: 1}, models.MethodManual, benchNow)
				if err != nil {
					b.Fatal(err)
				}
				start = time.Now()
				if _, errs, err := models.ConfirmBroadcast(db, bc.ID, bc.Version, models.Actor{UserID: 1}, models.ValidateEnv{Now: benchNow}); err != nil || len(errs) > 0 {
					b.Fatal(err, errs)
				}
				confirm := time.Since(start)
				start = time.Now()
				if err := models.FreezeAudienceBatched(db, bc.ID, benchNow, batch, nil); err != nil {
					b.Fatal(err)
				}
				freeze := time.Since(start)
				got, _ := models.FindBroadcast(db, bc.ID)
				if got.AudienceCount != fig.Audience || got.PendingCount != fig.Sendable {
					b.Fatalf("froze %d (%d pending), figures said %d (%d)", got.AudienceCount, got.PendingCount, fig.Audience, fig.Sendable)
				}
				figure(kind, n, "freeze", "batch %d: confirm request %.0f ms, freeze %d deliveries in %.1f s", batch, ms(confirm), got.AudienceCount, freeze.Seconds())
			}
		}
	})
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
