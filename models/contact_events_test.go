package models_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

func testSealer(t *testing.T) *models.Sealer {
	t.Helper()
	s, err := models.NewSealer([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustChannel(t *testing.T, db *gorm.DB, kind string) *models.Channel {
	t.Helper()
	ch, err := models.CreateChannel(db, testSealer(t), models.ChannelInput{
		Kind: kind, Name: kind + " account", ExternalID: "ext-" + kind, WABAID: "waba-1",
		Token: "tok-" + kind + "-ABCD1234", Secret: "sec-" + kind + "-WXYZ9876",
	})
	if err != nil {
		t.Fatalf("create channel: %v", err)
	}
	return ch
}

var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func apply(t *testing.T, db *gorm.DB, ch *models.Channel, ev channels.Event, lookup models.ProfileLookup) models.EventOutcome {
	t.Helper()
	out, err := models.ApplyWebhookEvent(db, ch, ev, lookup, at(1000))
	if err != nil {
		t.Fatalf("apply %+v: %v", ev, err)
	}
	return out
}

func contact(t *testing.T, db *gorm.DB, ch *models.Channel, id string) *models.Contact {
	t.Helper()
	c, err := models.FindContact(db, ch.ID, id)
	if err != nil {
		t.Fatalf("contact %s: %v", id, err)
	}
	return c
}

func TestLINEFollowUnfollowRefollow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		u := "U0123456789abcdef0123456789abcdef"
		out := apply(t, db, ch, channels.Event{Kind: channels.EventFollow, UserID: u, Time: at(0), DedupeKey: "e1"}, nil)
		if !out.Created {
			t.Fatal("follow did not create the contact")
		}
		c := contact(t, db, ch, u)
		if !c.Subscribed || !c.SubscribedAt.Equal(at(0)) || c.LastInteractionAt != nil {
			t.Fatalf("after follow: %+v", c)
		}
		apply(t, db, ch, channels.Event{Kind: channels.EventUnfollow, UserID: u, Time: at(10), DedupeKey: "e2"}, nil)
		c = contact(t, db, ch, u)
		if c.Subscribed || !c.UnsubscribedAt.Equal(at(10)) {
			t.Fatalf("after unfollow: %+v", c)
		}
		// A late, older follow does not undo the unfollow.
		apply(t, db, ch, channels.Event{Kind: channels.EventFollow, UserID: u, Time: at(5), DedupeKey: "e-late"}, nil)
		if contact(t, db, ch, u).Subscribed {
			t.Fatal("an older follow resubscribed")
		}
		apply(t, db, ch, channels.Event{Kind: channels.EventFollow, UserID: u, Time: at(20), DedupeKey: "e3"}, nil)
		c = contact(t, db, ch, u)
		if !c.Subscribed || !c.SubscribedAt.Equal(at(20)) || c.UnsubscribedAt != nil {
			t.Fatalf("after re-follow: %+v", c)
		}
	})
}

func TestInteractionOnlyMovesForwardAndRedeliveryIsIgnored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindMessenger)
		calls := 0
		lookup := func(id string) (channels.Profile, bool) {
			calls++
			return channels.Profile{Name: "林志明", PictureURL: "https://example.com/p.jpg"}, true
		}
		apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: "psid1", Time: at(30), DedupeKey: "m1"}, lookup)
		c := contact(t, db, ch, "psid1")
		if c.Name != "林志明" || !c.Subscribed || !c.LastInteractionAt.Equal(at(30)) || !c.SubscribedAt.Equal(at(30)) {
			t.Fatalf("first message: %+v", c)
		}
		apply(t, db, ch, channels.Event{Kind: channels.EventPostback, UserID: "psid1", Time: at(10), DedupeKey: "p-old"}, lookup)
		if !contact(t, db, ch, "psid1").LastInteractionAt.Equal(at(30)) {
			t.Fatal("an older event moved last_interaction_at back")
		}
		apply(t, db, ch, channels.Event{Kind: channels.EventOptin, UserID: "psid1", Time: at(40), DedupeKey: "o1"}, lookup)
		if !contact(t, db, ch, "psid1").LastInteractionAt.Equal(at(40)) {
			t.Fatal("a newer event did not move last_interaction_at")
		}
		if calls != 1 {
			t.Fatalf("profile looked up %d times, want once (only while the name is unknown)", calls)
		}
		out := apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: "psid1", Time: at(50), DedupeKey: "m1"}, lookup)
		if !out.Duplicate || !contact(t, db, ch, "psid1").LastInteractionAt.Equal(at(40)) {
			t.Fatal("a redelivered event changed the contact")
		}
		// A failing profile API falls back to the stored (empty) name.
		apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: "psid2", Time: at(1), DedupeKey: "m2"},
			func(string) (channels.Profile, bool) { return channels.Profile{}, false })
		if c := contact(t, db, ch, "psid2"); c.Name != "" || !c.Subscribed {
			t.Fatalf("contact without profile: %+v", c)
		}
	})
}

func TestWhatsAppContactAndReceipts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindWhatsApp)
		apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: "886912345678", Name: "Wong Ka Ming", Phone: "886912345678", Time: at(3), DedupeKey: "wamid.1"}, nil)
		c := contact(t, db, ch, "886912345678")
		if c.Name != "Wong Ka Ming" || c.Phone != "+886912345678" {
			t.Fatalf("whatsapp contact: %+v", c)
		}
		apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: "886912345678", Name: "王家明", Time: at(4), DedupeKey: "wamid.2"}, nil)
		if contact(t, db, ch, "886912345678").Name != "王家明" {
			t.Fatal("WhatsApp profile name change not kept")
		}
		out := apply(t, db, ch, channels.Event{Kind: channels.EventStatus, UserID: "886912345678", MessageID: "wamid.out", Status: "read", Time: at(5), DedupeKey: "wamid.out:read"}, nil)
		if out.ContactID != 0 {
			t.Fatal("a status touched a contact")
		}
		var receipts []models.ReceiptEvent
		db.Find(&receipts)
		if len(receipts) != 1 || receipts[0].Status != "read" || receipts[0].MessageID != "wamid.out" {
			t.Fatalf("receipts = %+v", receipts)
		}
	})
}

func TestChannelSecretsAreSealed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		if ch.TokenHint != "1234" || ch.SecretHint != "9876" {
			t.Fatalf("hints = %q %q", ch.TokenHint, ch.SecretHint)
		}
		if bytes.Contains(ch.Credentials, []byte("tok-line")) {
			t.Fatal("credentials stored in plaintext")
		}
		s, err := ch.Secrets(testSealer(t))
		if err != nil || s.AccessToken != "tok-line-ABCD1234" || s.Secret != "sec-line-WXYZ9876" {
			t.Fatalf("secrets = %+v %v", s, err)
		}
		other, _ := models.NewSealer([]byte(strings.Repeat("x", 32)))
		if _, err := ch.Secrets(other); err == nil {
			t.Fatal("another secret key opened the credentials")
		}
		// Editing without new secrets keeps them.
		if _, err := models.UpdateChannel(db, testSealer(t), ch.ID, models.ChannelInput{Name: "renamed", ExternalID: ch.ExternalID}); err != nil {
			t.Fatal(err)
		}
		ch2, _ := models.FindChannel(db, ch.ID)
		if s2, _ := ch2.Secrets(testSealer(t)); s2 != s || ch2.Name != "renamed" {
			t.Fatalf("after edit: %+v %q", s2, ch2.Name)
		}
	})
}

func TestReplaceWATemplates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindWhatsApp)
		first := []models.WATemplate{
			{Name: "spring_sale", Language: "zh_TW", Status: "APPROVED", Category: "MARKETING", Components: `[{"type":"BODY","text":"{{1}} 您好"}]`},
			{Name: "order_update", Language: "en", Status: "PENDING", Category: "UTILITY"},
		}
		if err := models.ReplaceWATemplates(db, ch.ID, first, t0); err != nil {
			t.Fatal(err)
		}
		second := []models.WATemplate{{Name: "order_update", Language: "en", Status: "APPROVED", Category: "UTILITY"}}
		if err := models.ReplaceWATemplates(db, ch.ID, second, at(5)); err != nil {
			t.Fatal(err)
		}
		list, err := models.ListWATemplates(db, ch.ID)
		if err != nil || len(list) != 1 || list[0].Name != "order_update" || !list[0].Approved() {
			t.Fatalf("templates after second sync: %+v %v", list, err)
		}
	})
}
