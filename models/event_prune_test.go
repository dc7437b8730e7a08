package models_test

import (
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// Applied receipts and webhook dedupe keys older than the keep are
// deleted; recent ones, and receipts not applied yet, stay.
func TestPruneEventsKeepsWhatIsStillNeeded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := newChannel(t, db, channels.KindMessenger, "prune")
		now := time.Now()
		old, recent := now.Add(-8*24*time.Hour), now.Add(-time.Hour)
		for i, e := range []struct {
			applied bool
			at      time.Time
		}{{true, old}, {true, old}, {false, old}, {true, recent}} {
			r := models.ReceiptEvent{ChannelID: ch.ID, Kind: "read", UserID: "u" + strconv.Itoa(i), OccurredAt: e.at, Applied: e.applied, CreatedAt: e.at}
			if err := db.Create(&r).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i, at := range []time.Time{old, recent} {
			if err := db.Create(&models.WebhookEvent{ChannelID: ch.ID, DedupeKey: "k" + strconv.Itoa(i), ReceivedAt: at}).Error; err != nil {
				t.Fatal(err)
			}
		}
		receipts, webhooks, err := models.PruneEvents(db, models.EventKeep, now)
		if err != nil || receipts != 2 || webhooks != 1 {
			t.Fatalf("pruned %d receipts and %d webhooks (%v), want 2 and 1", receipts, webhooks, err)
		}
		var left []models.ReceiptEvent
		db.Order("id").Find(&left)
		if len(left) != 2 || left[0].Applied || !left[1].Applied {
			t.Fatalf("receipts left: %+v", left)
		}
		var keys []string
		db.Model(&models.WebhookEvent{}).Pluck("dedupe_key", &keys)
		if len(keys) != 1 || keys[0] != "k1" {
			t.Fatalf("webhook keys left: %v", keys)
		}
	})
}
