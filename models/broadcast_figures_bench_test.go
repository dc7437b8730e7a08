package models_test

// The confirmation figures of a large audience, as POST /api/v1/broadcasts
// and the confirmation page compute them inside a request: run with
//
//	OMNICAST_BENCH_CONTACTS=1000000 OMNICAST_TEST_DATABASE_URL=… \
//	  go test ./models -run '^$' -bench BenchmarkConfirmationFigures -benchtime 1x
//
// It prints FIGURE lines (median and slowest of 5 runs after warm-up) per
// database and audience: everyone, the default (subscribed), two tag
// filters, a saved list of 10,000, on LINE, Messenger standard (the 24 h
// window) and Messenger under a tag — and ValidateDraft with the figures,
// which is what the API request adds up to.

import (
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
)

func BenchmarkConfirmationFigures(b *testing.B) {
	n := benchContacts(b)
	benchEachDB(b, func(b *testing.B, kind string, db *gorm.DB) {
		ch := benchLINEChannel(b, db)
		start := time.Now()
		generateBenchContacts(b, db, n)
		// A few testers, as a real workspace has.
		if err := db.Exec("UPDATE contacts SET tester = ? WHERE id IN (7, 70, 700)", true).Error; err != nil {
			b.Fatal(err)
		}
		if err := models.RefreshStatistics(b.Context(), db); err != nil {
			b.Fatal(err)
		}
		figure(kind, n, "generation", "%d contacts in %.1f s (not measured below)", n, time.Since(start).Seconds())
		ids := make([]uint64, 0, 10000)
		for i := uint64(1); len(ids) < cap(ids) && i <= uint64(n); i += uint64(max(n/10000, 1)) {
			ids = append(ids, i)
		}
		list, err := models.SaveAudience(db, models.ContactFilter{ChannelID: ch.ID}, ids, false, 1, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		audiences := []struct {
			name string
			spec models.AudienceSpec
		}{
			{"all", models.AudienceSpec{Filter: "status=all"}},
			{"subscribed", models.AudienceSpec{Filter: "status=subscribed"}},
			{"tags any 30d", models.AudienceSpec{Filter: benchFilterA}},
			{"tags any", models.AudienceSpec{Filter: benchFilterB}},
			{"list 10000", models.AudienceSpec{AudienceID: &list.ID}},
		}
		setups := []struct {
			name, kind, tag string
		}{
			{"line", channels.KindLINE, ""},
			{"messenger std", channels.KindMessenger, models.TagStandard},
			{"messenger tag", channels.KindMessenger, models.TagAccountUpdate},
		}
		for range b.N {
			for _, s := range setups {
				if err := db.Model(ch).Update("kind", s.kind).Error; err != nil {
					b.Fatal(err)
				}
				for _, a := range audiences {
					d := models.Draft{ChannelID: ch.ID, Subject: "bench", SendNow: true, MessageTag: s.tag, Audience: a.spec,
						Content: models.BroadcastContent{Messages: []models.MessageSpec{{Type: models.MessageText, Text: "hi"}}}}
					if s.kind == channels.KindLINE {
						d.MessageTag = ""
					}
					var fig models.Figures
					took := benchTimings(b, 5, func() {
						var err error
						if fig, err = models.ConfirmationFigures(db, d, benchNow, nil); err != nil {
							b.Fatal(err)
						}
					})
					request := benchTimings(b, 3, func() {
						if _, errs := models.ValidateDraft(db, d, models.ValidateEnv{Now: benchNow}); len(errs) > 0 {
							b.Fatal(errs)
						}
						if _, err := models.ConfirmationFigures(db, d, benchNow, nil); err != nil {
							b.Fatal(err)
						}
					})
					figure(kind, n, "figures", "%-13s %-12s audience %7d sendable %7d: median %6.0f ms, max %6.0f ms; validate+figures max %6.0f ms",
						s.name, a.name, fig.Audience, fig.Sendable, ms(took[len(took)/2]), ms(took[len(took)-1]), ms(request[len(request)-1]))
				}
			}
		}
	})
}

// benchTimings runs fn once to warm up, then runs times, sorted.
func benchTimings(b *testing.B, runs int, fn func()) []time.Duration {
	b.Helper()
	fn()
	out := make([]time.Duration, runs)
	for i := range out {
		t := time.Now()
		fn()
		out[i] = time.Since(t)
	}
	slices.Sort(out)
	return out
}
