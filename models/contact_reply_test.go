package models_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// A message the person writes within 24 hours of a broadcast message
// counts as a reply to it, once, on the broadcast's counter; older sends,
// taps and redeliveries do not.
func TestMessagesCountAsRepliesWithin24Hours(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		apply(t, db, ch, channels.Event{Kind: channels.EventFollow, UserID: "U1", Time: at(0), DedupeKey: "f"}, nil)
		c := contact(t, db, ch, "U1")
		mk := func(sentAt time.Time) *models.Broadcast {
			b := &models.Broadcast{ChannelID: ch.ID, Subject: "s", Status: models.BroadcastDone, CreatedBy: 1, UpdatedBy: 1, SentCount: 1}
			if err := db.Create(b).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Create(&models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: models.DeliverySent, SentAt: &sentAt, UpdatedAt: sentAt}).Error; err != nil {
				t.Fatal(err)
			}
			return b
		}
		recent := mk(at(100))
		old := mk(at(100).Add(-25 * time.Hour))
		apply(t, db, ch, channels.Event{Kind: channels.EventPostback, UserID: "U1", Time: at(110), DedupeKey: "tap", Payload: "anything"}, nil)
		apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: "U1", Time: at(120), DedupeKey: "m1"}, nil)
		apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: "U1", Time: at(130), DedupeKey: "m2"}, nil)
		for b, want := range map[*models.Broadcast]int64{recent: 1, old: 0} {
			got, _ := models.FindBroadcast(db, b.ID)
			if got.RepliedCount != want {
				t.Errorf("broadcast sent %s: replied %d, want %d", b.CreatedAt, got.RepliedCount, want)
			}
		}
	})
}

// Unsubscribing (unfollowing, blocking) within 24 hours of a broadcast
// message counts once on that broadcast; following again and leaving
// again does not count it twice.
func TestUnsubscribesWithin24HoursAreCountedOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		apply(t, db, ch, channels.Event{Kind: channels.EventFollow, UserID: "U1", Time: at(0), DedupeKey: "f"}, nil)
		c := contact(t, db, ch, "U1")
		sentAt := at(100)
		b := &models.Broadcast{ChannelID: ch.ID, Subject: "s", Status: models.BroadcastDone, CreatedBy: 1, UpdatedBy: 1, SentCount: 1}
		if err := db.Create(b).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: models.DeliverySent, SentAt: &sentAt, UpdatedAt: sentAt}).Error; err != nil {
			t.Fatal(err)
		}
		apply(t, db, ch, channels.Event{Kind: channels.EventUnfollow, UserID: "U1", Time: at(110), DedupeKey: "u1"}, nil)
		apply(t, db, ch, channels.Event{Kind: channels.EventFollow, UserID: "U1", Time: at(120), DedupeKey: "f2"}, nil)
		apply(t, db, ch, channels.Event{Kind: channels.EventUnfollow, UserID: "U1", Time: at(130), DedupeKey: "u2"}, nil)
		got, _ := models.FindBroadcast(db, b.ID)
		if got.UnsubscribedCount != 1 {
			t.Fatalf("unsubscribed after the broadcast: %d, want 1", got.UnsubscribedCount)
		}
	})
}
