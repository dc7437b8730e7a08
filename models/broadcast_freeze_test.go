package models_test

import (
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestConfirmAndFreeze(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		page := newChannel(t, db, channels.KindMessenger, "page")
		people := windowAudience(t, db, page)
		listed := explicitAudience(t, db, page, allOf(people))
		d := models.Draft{ChannelID: page.ID, Subject: "s", SendNow: true, MessageTag: models.TagStandard,
			Audience: models.AudienceSpec{AudienceID: &listed}, Content: models.BroadcastContent{Messages: texts(1, "hello")}}
		who := models.Actor{UserID: 3}
		b, err := models.SaveDraft(db, d, 0, 0, who, models.MethodManual, composeNow)
		if err != nil {
			t.Fatal(err)
		}
		env := models.ValidateEnv{Now: composeNow.Add(time.Minute)}
		if _, _, err := models.ConfirmBroadcast(db, b.ID, b.Version+1, who, env); !errors.Is(err, models.ErrBroadcastStale) {
			t.Fatalf("stale confirm: %v", err)
		}
		c, errs, err := models.ConfirmBroadcast(db, b.ID, b.Version, who, env)
		if err != nil || len(errs) > 0 {
			t.Fatalf("confirm: %v %+v", err, errs)
		}
		if c.Status != models.BroadcastPreparing || c.ConfirmedBy == nil || *c.ConfirmedBy != 3 || c.ScheduledAt == nil ||
			!c.ScheduledAt.Equal(env.Now) || c.ConfirmedAt == nil {
			t.Fatalf("confirmed %+v", c)
		}
		if _, _, err := models.ConfirmBroadcast(db, b.ID, c.Version, who, env); !errors.Is(err, models.ErrBroadcastState) {
			t.Fatalf("second confirm: %v", err)
		}
		// Half a freeze written before a crash: the rest follows, once.
		if err := db.Create(&models.Delivery{BroadcastID: b.ID, ContactID: people["recent"].ID, State: models.DeliveryPending, UpdatedAt: composeNow}).Error; err != nil {
			t.Fatal(err)
		}
		var seen []int64
		if err := models.FreezeAudienceBatched(db, b.ID, composeNow.Add(2*time.Minute), 2, func(frozen, total int64) { seen = append(seen, frozen) }); err != nil {
			t.Fatal(err)
		}
		if len(seen) < 3 || seen[len(seen)-1] != 8 {
			t.Fatalf("progress %v", seen)
		}
		f, err := models.FindBroadcast(db, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != models.BroadcastScheduled || f.AudienceCount != 8 || f.FrozenCount != 8 || f.PendingCount != 5 || f.SkippedCount != 3 {
			t.Fatalf("frozen %+v", f)
		}
		var ds []models.Delivery
		if err := db.Where("broadcast_id = ?", b.ID).Order("contact_id").Find(&ds).Error; err != nil {
			t.Fatal(err)
		}
		reasons := map[uint64]string{}
		for _, dl := range ds {
			reasons[dl.ContactID] = dl.State + "/" + dl.Reason
		}
		for name, want := range map[string]string{"recent": "pending/", "never": "pending/", "unsubscribed": "skipped/unsubscribed",
			"tester": "skipped/tester", "tester outside": "skipped/tester"} {
			if got := reasons[people[name].ID]; got != want {
				t.Errorf("%s: %q, want %q", name, got, want)
			}
		}
		if len(ds) != 8 {
			t.Fatalf("%d deliveries", len(ds))
		}
		if err := models.FreezeAudience(db, b.ID, composeNow); !errors.Is(err, models.ErrNotPreparing) {
			t.Fatalf("freeze twice: %v", err)
		}
		fig, err := models.BroadcastFigures(db, f, composeNow, nil)
		if err != nil || fig.Audience != 8 || fig.Sendable != 5 || fig.Skipped["tester"] != 2 || fig.Skipped["unsubscribed"] != 1 {
			t.Fatalf("figures after freeze %+v %v", fig, err)
		}
		entries, _ := models.ListAudit(db, b.ID)
		if len(entries) != 3 || entries[1].Action != "confirm" || entries[2].Action != "frozen" {
			t.Fatalf("audit %+v", entries)
		}
	})
}

func TestConfirmRefusesInvalidDraft(t *testing.T) {
	db := dbtest.SQLite(t)
	w := newComposeWorld(t, db)
	d := w.validDraft(w.line)
	d.SendNow, d.ScheduledAt = false, tp(composeNow.Add(time.Hour))
	b, err := models.SaveDraft(db, d, 0, 0, models.Actor{UserID: 1}, models.MethodManual, composeNow)
	if err != nil {
		t.Fatal(err)
	}
	// Confirmed two hours later: the scheduled time has passed.
	_, errs, err := models.ConfirmBroadcast(db, b.ID, b.Version, models.Actor{UserID: 1}, models.ValidateEnv{Now: composeNow.Add(2 * time.Hour)})
	if err != nil || len(errs) != 1 || errs[0].Code != "scheduled_at_past" {
		t.Fatalf("confirm late: %v %+v", err, errs)
	}
	if b, _ = models.FindBroadcast(db, b.ID); b.Status != models.BroadcastDraft {
		t.Fatalf("status %s", b.Status)
	}
	// In time, the broadcast keeps its scheduled time.
	c, errs, err := models.ConfirmBroadcast(db, b.ID, b.Version, models.Actor{UserID: 1}, models.ValidateEnv{Now: composeNow})
	if err != nil || len(errs) > 0 || !c.ScheduledAt.Equal(composeNow.Add(time.Hour)) {
		t.Fatalf("confirm: %+v %v %+v", c, err, errs)
	}
	if err := models.FreezeAudience(db, b.ID, composeNow); err != nil {
		t.Fatal(err)
	}
	if b, _ = models.FindBroadcast(db, b.ID); b.Status != models.BroadcastScheduled || b.PendingCount != 2 {
		t.Fatalf("after freeze %+v", b)
	}
}
