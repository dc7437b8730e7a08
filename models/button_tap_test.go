package models_test

import (
	"testing"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestTapsFromWebhooks: a postback or quick-reply tap carrying our payload
// is recorded per module and button, marks the person's delivery clicked
// once, counts once on the broadcast, and still counts as an interaction.
func TestTapsFromWebhooks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		apply(t, db, ch, channels.Event{Kind: channels.EventFollow, UserID: "U1", Time: at(0), DedupeKey: "f1"}, nil)
		apply(t, db, ch, channels.Event{Kind: channels.EventFollow, UserID: "U2", Time: at(0), DedupeKey: "f2"}, nil)
		u1, u2 := contact(t, db, ch, "U1"), contact(t, db, ch, "U2")
		b := models.Broadcast{ChannelID: ch.ID, Subject: "s", Status: models.BroadcastSending}
		if err := db.Create(&b).Error; err != nil {
			t.Fatal(err)
		}
		// Only U1 is in the audience.
		if err := db.Create(&models.Delivery{BroadcastID: b.ID, ContactID: u1.ID, State: models.DeliverySent}).Error; err != nil {
			t.Fatal(err)
		}
		tap := func(user, key string, p channels.TapPayload, min int, kind channels.EventKind) {
			apply(t, db, ch, channels.Event{Kind: kind, UserID: user, Time: at(min), DedupeKey: key,
				Payload: channels.EncodeTap(p)}, nil)
		}
		tap("U1", "t1", channels.TapPayload{BroadcastID: b.ID, ModuleID: 4, Button: 1}, 10, channels.EventPostback)
		tap("U1", "t2", channels.TapPayload{BroadcastID: b.ID, ModuleID: 4, Button: 2}, 11, channels.EventMessage)  // quick reply
		tap("U1", "t2", channels.TapPayload{BroadcastID: b.ID, ModuleID: 4, Button: 2}, 11, channels.EventMessage)  // redelivered
		tap("U2", "t3", channels.TapPayload{BroadcastID: b.ID, ModuleID: 4, Button: 1}, 12, channels.EventPostback) // not in the audience
		tap("U1", "t4", channels.TapPayload{ModuleID: 4, Button: 1}, 13, channels.EventPostback)                    // a test send
		apply(t, db, ch, channels.Event{Kind: channels.EventPostback, UserID: "U1", Time: at(14), DedupeKey: "t5", Payload: "STAFF_PAYLOAD"}, nil)

		counts, err := models.CountTaps(db, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []models.TapCount{{ModuleID: 4, Button: 1, Taps: 1, People: 1}, {ModuleID: 4, Button: 2, Taps: 1, People: 1}}
		if len(counts) != 2 || counts[0] != want[0] || counts[1] != want[1] {
			t.Errorf("taps %+v, want %+v", counts, want)
		}
		var n int64
		db.Model(&models.ButtonTap{}).Count(&n)
		if n != 2 {
			t.Errorf("%d tap rows, want 2", n)
		}
		var d models.Delivery
		db.Where("broadcast_id = ? AND contact_id = ?", b.ID, u1.ID).First(&d)
		if d.ClickedAt == nil || !d.ClickedAt.Equal(at(10)) {
			t.Errorf("clicked_at = %v, want the first tap's time", d.ClickedAt)
		}
		got, _ := models.FindBroadcast(db, b.ID)
		if got.ClickedCount != 1 {
			t.Errorf("clicked_count = %d, want 1 (once per delivery)", got.ClickedCount)
		}
		if c := contact(t, db, ch, "U2"); c.LastInteractionAt == nil || !c.LastInteractionAt.Equal(at(12)) {
			t.Errorf("U2's tap is not an interaction: %v", c.LastInteractionAt)
		}
		_ = u2
	})
}
