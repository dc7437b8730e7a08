package models_test

import (
	"testing"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestTapActionsRunOnce: a template tap's action is pending once
// recorded, is claimed by one claimer only, runs its subscription change
// once however often it is finished, and a claim that went stale goes
// back to pending (subscriptions) or becomes uncertain (bot replies,
// never resent).
func TestTapActionsRunOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newReceiptFixture(t, db, channels.KindWhatsApp)
		a, b := f.person("886900000001"), f.person("886900000002")
		bc := f.broadcast(sentTo{contact: a, mid: "wamid.A", at: at(0)}, sentTo{contact: b, mid: "wamid.B", at: at(0)})
		record := func(contact uint64, p channels.TapPayload, min int) {
			t.Helper()
			if err := db.Transaction(func(tx *gorm.DB) error {
				_, err := models.RecordTap(tx, contact, p, at(min))
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		record(a, channels.TapPayload{BroadcastID: bc.ID, Button: 1, Action: channels.ActionUnsubscribe}, 5)
		record(b, channels.TapPayload{BroadcastID: bc.ID, ModuleID: 9, Button: 2, Action: channels.ActionBot}, 6)
		record(b, channels.TapPayload{BroadcastID: bc.ID, ModuleID: 9, Button: 0}, 7) // no action
		claimed, err := models.ClaimTapActions(db, 10, at(8))
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %v, %v; want the two taps with an action", claimed, err)
		}
		if again, _ := models.ClaimTapActions(db, 10, at(8)); len(again) != 0 {
			t.Fatalf("claimed twice: %v", again)
		}
		unsub := claimed[0]
		if unsub.Action != channels.ActionUnsubscribe || unsub.ContactID != a || !unsub.At.Equal(at(5)) {
			t.Fatalf("first claim %+v", unsub)
		}
		if changed, err := models.RunSubscriptionTap(db, unsub, at(9)); err != nil || !changed {
			t.Fatalf("unsubscribe: %v %v", changed, err)
		}
		if changed, err := models.RunSubscriptionTap(db, unsub, at(9)); err != nil || changed {
			t.Fatalf("unsubscribe ran twice: %v %v", changed, err)
		}
		var c models.Contact
		db.First(&c, a)
		if c.Subscribed || !sameTime(c.UnsubscribedAt, at(5)) {
			t.Errorf("after the tap: subscribed %v at %v", c.Subscribed, c.UnsubscribedAt)
		}
		// The bot reply's claim goes stale: uncertain, never pending again.
		req, unc, err := models.ReclaimTapActions(db, at(20), at(20))
		if err != nil || req != 0 || unc != 1 {
			t.Fatalf("reclaim: %d %d %v, want the bot reply uncertain", req, unc, err)
		}
		if ok, _ := models.FinishTapAction(db, claimed[1].ID, models.TapDone, "", at(21)); ok {
			t.Errorf("a reclaimed tap was finished by its old claimer")
		}
		// A stale subscription claim goes back to pending.
		record(a, channels.TapPayload{BroadcastID: bc.ID, Button: 0, Action: channels.ActionSubscribe}, 30)
		if got, _ := models.ClaimTapActions(db, 10, at(31)); len(got) != 1 {
			t.Fatalf("claimed %v", got)
		}
		if req, unc, _ := models.ReclaimTapActions(db, at(40), at(40)); req != 1 || unc != 0 {
			t.Fatalf("reclaim: %d %d, want the subscription requeued", req, unc)
		}
		got, _ := models.ClaimTapActions(db, 10, at(41))
		if len(got) != 1 {
			t.Fatalf("requeued tap not claimed again: %v", got)
		}
		if changed, err := models.RunSubscriptionTap(db, got[0], at(42)); err != nil || !changed {
			t.Fatalf("subscribe: %v %v", changed, err)
		}
		c = models.Contact{}
		db.First(&c, a)
		if !c.Subscribed || c.UnsubscribedAt != nil {
			t.Errorf("after subscribe: %v %v", c.Subscribed, c.UnsubscribedAt)
		}
	})
}
