package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/jobs"
	"omnicast/models"
	"omnicast/models/dbtest"
	"omnicast/web"
)

// TestDemoEndToEnd: the simulator sends real, signed webhooks of all four
// kinds to a real omnicast server, and contacts appear with names,
// subscription times, interactions and tags; templates are synced.
func TestDemoEndToEnd(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		secret := []byte(strings.Repeat("d", 32))
		sealer, _ := models.NewSealer(secret)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv, err := web.New(web.Config{DB: db, SecretKey: secret, Logger: log})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		defer hs.Close()

		now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		var lastDone, lastTotal int
		d, err := jobs.StartDemo(context.Background(), db, sealer, jobs.DemoOptions{
			WebhookBase: hs.URL, PeoplePerChannel: 40, Seed: 7, Logger: log, Now: func() time.Time { return now },
			Progress: func(done, total int) { lastDone, lastTotal = done, total },
		})
		if err != nil {
			t.Fatalf("start demo: %v", err)
		}
		defer d.Close()
		if lastDone != 160 || lastTotal != 160 {
			t.Fatalf("progress ended at %d/%d", lastDone, lastTotal)
		}
		if len(d.Channels) != 4 {
			t.Fatalf("channels = %d", len(d.Channels))
		}
		for _, ch := range d.Channels {
			counts, err := models.CountChannelContacts(db, ch.ID)
			if err != nil {
				t.Fatal(err)
			}
			if counts.Subscribed+counts.Unsubscribed != 40 {
				t.Errorf("%s: %d contacts, want 40", ch.Kind, counts.Subscribed+counts.Unsubscribed)
			}
			if ch.Kind == channels.KindLINE && counts.Unsubscribed == 0 {
				t.Errorf("LINE: no unfollows seeded")
			}
			var unnamed, untimed int64
			db.Model(&models.Contact{}).Where("channel_id = ? AND name = ''", ch.ID).Count(&unnamed)
			db.Model(&models.Contact{}).Where("channel_id = ? AND subscribed = ? AND subscribed_at IS NULL", ch.ID, true).Count(&untimed)
			if unnamed > 0 || untimed > 0 {
				t.Errorf("%s: %d contacts without a name, %d subscribed without a time", ch.Kind, unnamed, untimed)
			}
			var future int64
			db.Model(&models.Contact{}).Where("channel_id = ? AND (subscribed_at > ? OR last_interaction_at > ?)", ch.ID, now, now).Count(&future)
			if future > 0 {
				t.Errorf("%s: %d contacts with times after now", ch.Kind, future)
			}
		}
		var wa models.Channel
		db.Where("kind = ?", channels.KindWhatsApp).First(&wa)
		tpls, _ := models.ListWATemplates(db, wa.ID)
		approved := 0
		for _, tp := range tpls {
			if tp.Approved() {
				approved++
			}
		}
		if len(tpls) != 4 || approved != 3 {
			t.Fatalf("templates: %d synced, %d approved", len(tpls), approved)
		}
		var tagged int64
		db.Model(&models.ContactTag{}).Count(&tagged)
		if tagged == 0 {
			t.Fatal("no contact was tagged")
		}

		// A redelivered webhook changes nothing.
		var before []models.Contact
		db.Order("id").Find(&before)
		for _, ch := range d.Channels {
			if err := d.Sim.RedeliverLast(context.Background(), ch.ExternalID); err != nil {
				t.Fatalf("redeliver %s: %v", ch.Kind, err)
			}
		}
		var after []models.Contact
		db.Order("id").Find(&after)
		if len(before) != len(after) {
			t.Fatalf("redelivery changed the number of contacts: %d -> %d", len(before), len(after))
		}
		for i := range before {
			if !sameTime(before[i].LastInteractionAt, after[i].LastInteractionAt) || before[i].Subscribed != after[i].Subscribed {
				t.Fatalf("redelivery changed contact %s", before[i].ExternalID)
			}
		}
	})
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// TestDemoPeopleWroteWithinTheDay: with the demo's own seed and numbers,
// a share of every account's people wrote within the past day, so that a
// standard Messenger broadcast (24-hour window) reaches some of them —
// before, the demo's Page had one or two such people out of 300.
func TestDemoPeopleWroteWithinTheDay(t *testing.T) {
	db := dbtest.SQLite(t)
	secret := []byte(strings.Repeat("d", 32))
	sealer, _ := models.NewSealer(secret)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(web.Config{DB: db, SecretKey: secret, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	d, err := jobs.StartDemo(context.Background(), db, sealer, jobs.DemoOptions{
		WebhookBase: hs.URL, PeoplePerChannel: 300, Seed: 2026, Logger: log, Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatalf("start demo: %v", err)
	}
	defer d.Close()
	for _, ch := range d.Channels {
		var recent int64
		db.Model(&models.Contact{}).Where("channel_id = ? AND subscribed = ? AND last_interaction_at > ?", ch.ID, true, now.Add(-24*time.Hour)).Count(&recent)
		// A tenth are picked; some of them had written later already.
		if recent < 15 || recent > 60 {
			t.Errorf("%s: %d of 300 people wrote within the day, want about a tenth", ch.Kind, recent)
		}
	}
}
