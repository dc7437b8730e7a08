package models_test

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestTagLockAndUnlock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindMessenger)
		other := mustChannel(t, db, channels.KindLINE)
		if err := models.CheckTagLock(ch, models.TagAccountUpdate); err != nil {
			t.Fatalf("unlocked channel refused: %v", err)
		}
		marketer := models.Actor{UserID: 7}
		text := "您的帳戶已升級，現在下單享 9 折"
		if err := models.LockTaggedBroadcasts(db, ch.ID, models.LockPromotional, text, marketer, at(1)); err != nil {
			t.Fatal(err)
		}
		got, err := models.FindChannel(db, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.TagBroadcastLocked || got.TagLockReason != models.LockPromotional || got.TagLockText != text ||
			got.TagLockedAt == nil || !got.TagLockedAt.Equal(at(1)) || got.TagLockedBy == nil || *got.TagLockedBy != 7 {
			t.Fatalf("locked channel = %+v", got)
		}
		// Tagged broadcasts are refused; standard messages still pass.
		for _, tag := range []string{models.TagEventUpdate, models.TagPostPurchase, models.TagAccountUpdate} {
			if err := models.CheckTagLock(got, tag); !errors.Is(err, models.ErrTagBroadcastLocked) {
				t.Errorf("tag %s on a locked channel: %v", tag, err)
			}
		}
		if err := models.CheckTagLock(got, models.TagStandard); err != nil {
			t.Errorf("standard message refused: %v", err)
		}
		if o, _ := models.FindChannel(db, other.ID); o.TagBroadcastLocked {
			t.Error("the other channel got locked too")
		}

		// A second lock keeps the first (what the admin reviews), unaudited.
		if err := models.LockTaggedBroadcasts(db, ch.ID, "other", "other text", models.Actor{UserID: 8}, at(2)); err != nil {
			t.Fatal(err)
		}
		if again, _ := models.FindChannel(db, ch.ID); again.TagLockText != text || *again.TagLockedBy != 7 {
			t.Errorf("second lock overwrote the first: %+v", again)
		}

		admin := models.Actor{UserID: 1}
		if err := models.UnlockTaggedBroadcasts(db, ch.ID, admin, at(3)); err != nil {
			t.Fatal(err)
		}
		got, _ = models.FindChannel(db, ch.ID)
		if got.TagBroadcastLocked || got.TagLockReason != "" || got.TagLockText != "" || got.TagLockedAt != nil || got.TagLockedBy != nil {
			t.Fatalf("unlocked channel = %+v", got)
		}
		if err := models.CheckTagLock(got, models.TagAccountUpdate); err != nil {
			t.Errorf("after unlock: %v", err)
		}
		// Unlocking an unlocked channel changes nothing and audits nothing.
		if err := models.UnlockTaggedBroadcasts(db, ch.ID, admin, at(4)); err != nil {
			t.Fatal(err)
		}

		entries, err := models.ListChannelAudit(db, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 || entries[0].Action != models.AuditTagLock || entries[1].Action != models.AuditTagUnlock {
			t.Fatalf("audit = %+v", entries)
		}
		lock, unlock := entries[0], entries[1]
		if lock.UserID == nil || *lock.UserID != 7 || !lock.At.Equal(at(1)) || unlock.UserID == nil || *unlock.UserID != 1 || !unlock.At.Equal(at(3)) {
			t.Errorf("audit who/when: %+v %+v", lock, unlock)
		}
		var diff map[string]models.FieldChange
		if err := json.Unmarshal([]byte(unlock.Diff), &diff); err != nil || diff["tag_lock_text"].Old != text || diff["tag_lock_reason"].Old != models.LockPromotional {
			t.Errorf("unlock diff = %s (%v)", unlock.Diff, err)
		}
		if err := json.Unmarshal([]byte(lock.Diff), &diff); err != nil || diff["tag_lock_text"].New != text {
			t.Errorf("lock diff = %s (%v)", lock.Diff, err)
		}

		// Missing channels.
		if err := models.LockTaggedBroadcasts(db, 999, models.LockPromotional, "x", admin, at(5)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("lock missing channel: %v", err)
		}
		if err := models.UnlockTaggedBroadcasts(db, 999, admin, at(5)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unlock missing channel: %v", err)
		}
	})
}

// Of confirmations racing to lock, exactly one writes the lock and its
// audit entry.
func TestTagLockOnceUnderRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindMessenger)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- models.LockTaggedBroadcasts(db, ch.ID, models.LockPromotional, "text", models.Actor{UserID: uint(i + 1)}, at(i))
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		entries, err := models.ListChannelAudit(db, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Errorf("%d lock entries, want 1", len(entries))
		}
	})
}

func TestTesters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		other := mustChannel(t, db, channels.KindMessenger)
		var ids []uint64
		for _, name := range []string{"Zoe", "Amy", "Bob"} {
			c := models.Contact{ChannelID: ch.ID, ExternalID: "U" + name, Name: name, Subscribed: true}
			if err := db.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		foreign := models.Contact{ChannelID: other.ID, ExternalID: "P1", Name: "Pat", Subscribed: true}
		if err := db.Create(&foreign).Error; err != nil {
			t.Fatal(err)
		}
		if err := models.SetTester(db, ids[0], true); err != nil {
			t.Fatal(err)
		}
		if err := models.SetChannelTester(db, ch.ID, ids[1], true); err != nil {
			t.Fatal(err)
		}
		if err := models.SetTester(db, foreign.ID, true); err != nil {
			t.Fatal(err)
		}
		// The row menu names the channel: another channel's contact is not found.
		if err := models.SetChannelTester(db, ch.ID, foreign.ID, false); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("foreign contact: %v", err)
		}
		if err := models.SetTester(db, 99999, true); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("missing contact: %v", err)
		}
		testers, err := models.ListTesters(db, ch.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(testers) != 2 || testers[0].Name != "Amy" || testers[1].Name != "Zoe" || !testers[0].Tester {
			t.Fatalf("testers = %+v", testers)
		}
		if n, _ := models.CountTesters(db, ch.ID); n != 2 {
			t.Errorf("count = %d", n)
		}
		if one, _ := models.ListTesters(db, ch.ID, 1); len(one) != 1 {
			t.Errorf("limit 1: %d", len(one))
		}
		// Unmarking takes them off; marking twice is harmless.
		if err := models.SetTester(db, ids[0], false); err != nil {
			t.Fatal(err)
		}
		if err := models.SetChannelTester(db, ch.ID, ids[1], true); err != nil {
			t.Fatal(err)
		}
		testers, _ = models.ListTesters(db, ch.ID, 10)
		if len(testers) != 1 || testers[0].ID != ids[1] {
			t.Errorf("after unmark: %+v", testers)
		}
		// The contacts list reads the flag too (its badge).
		page, err := models.ListContactPage(db, models.ContactFilter{ChannelID: ch.ID}, "", "", 10, at(10))
		if err != nil {
			t.Fatal(err)
		}
		flags := map[string]bool{}
		for _, c := range page.Contacts {
			flags[c.Name] = c.Tester
		}
		if !flags["Amy"] || flags["Zoe"] || flags["Bob"] {
			t.Errorf("list tester flags = %v", flags)
		}
	})
}
