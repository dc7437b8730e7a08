package jobs

import (
	"context"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestFreezeWorkerSchedulesConfirmedBroadcasts: confirming only moves the
// broadcast to preparing; the woken worker writes the deliveries and
// schedules it.
func TestFreezeWorkerSchedulesConfirmedBroadcasts(t *testing.T) {
	db := dbtest.SQLite(t)
	now := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	ch := &models.Channel{Kind: channels.KindLINE, Name: "oa", ExternalID: "oa", Credentials: []byte{}}
	if err := db.Create(ch).Error; err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for i := range 3 {
		c := models.Contact{ChannelID: ch.ID, ExternalID: "U" + string(rune('a'+i)), Subscribed: true}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	a, err := models.SaveAudience(db, models.ContactFilter{ChannelID: ch.ID}, ids, false, 1, now)
	if err != nil {
		t.Fatal(err)
	}
	d := models.Draft{ChannelID: ch.ID, Subject: "s", SendNow: true, Audience: models.AudienceSpec{AudienceID: &a.ID},
		Content: models.BroadcastContent{Messages: []models.MessageSpec{{Type: models.MessageText, Text: "hi"}}}}
	b, err := models.SaveDraft(db, d, 0, 0, models.Actor{UserID: 1}, models.MethodManual, now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{DB: db, Logger: quietLog(), Poll: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Stop(context.Background()) }()
	if _, errs, err := models.ConfirmBroadcast(db, b.ID, b.Version, models.Actor{UserID: 1}, models.ValidateEnv{Now: now}); err != nil || len(errs) > 0 {
		t.Fatalf("confirm: %v %+v", err, errs)
	}
	r.Wake(WorkerFreeze)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		got, err := models.FindBroadcast(db, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Scheduled, or already started by the scheduler (send now).
		if got.Status != models.BroadcastPreparing {
			if got.AudienceCount != 3 || got.FrozenCount != 3 {
				t.Fatalf("frozen %+v", got)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the freeze worker did not schedule the broadcast")
}
