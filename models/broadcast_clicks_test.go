package models_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// sentBroadcast stores a broadcast of ch that sent content, with a
// delivery for each of people.
func sentBroadcast(t *testing.T, db *gorm.DB, ch *models.Channel, content channels.Content, people ...*models.Contact) *models.Broadcast {
	t.Helper()
	raw, err := json.Marshal(content)
	if err != nil {
		t.Fatal(err)
	}
	b := models.Broadcast{ChannelID: ch.ID, Subject: "clicks", Status: models.BroadcastDone, SentContent: string(raw)}
	if err := db.Create(&b).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range people {
		if err := db.Create(&models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: models.DeliverySent}).Error; err != nil {
			t.Fatal(err)
		}
	}
	return &b
}

// tapper sends tap events from people of ch, each with its own dedupe key.
func tapper(t *testing.T, db *gorm.DB, ch *models.Channel) func(user string, p channels.TapPayload) {
	n := 0
	return func(user string, p channels.TapPayload) {
		t.Helper()
		n++
		apply(t, db, ch, channels.Event{Kind: channels.EventPostback, UserID: user, Time: at(100 + n),
			DedupeKey: fmt.Sprintf("tap-%d", n), Payload: channels.EncodeTap(p)}, nil)
	}
}

// TestBroadcastButtonClicksBotCard: a bot card's reply buttons are listed
// with the label people saw (not the module's later edit) and the
// module's name now; taps count per button as people and taps; link
// buttons, taps of no button sent and people outside the audience are
// not counted.
func TestBroadcastButtonClicksBotCard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindMessenger)
		for _, u := range []string{"U1", "U2", "U3", "U4"} {
			apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: u, Time: at(0), DedupeKey: "hello-" + u}, nil)
		}
		in := models.BotModuleInput{Name: "週年慶選單", Kind: channels.CardButton, Text: "想看什麼？", Buttons: []models.ModuleButton{
			{Title: "看菜單", Type: channels.ButtonReply, Payload: "MENU"},
			{Title: "官網", Type: channels.ButtonURL, URL: "https://shop.example.com"},
			{Title: "訂位", Type: channels.ButtonReply, Payload: "BOOK"},
		}}
		modID := newModule(t, db, in)
		mod, err := models.FindBotModule(db, modID)
		if err != nil {
			t.Fatal(err)
		}
		card, err := mod.Card(nil)
		if err != nil {
			t.Fatal(err)
		}
		content := channels.Content{Parts: []channels.Part{
			{Kind: channels.PartText, Text: "hi"},
			{Kind: channels.PartBotCard, Card: &card, ModuleID: modID},
		}}
		u1, u2, u3 := contact(t, db, ch, "U1"), contact(t, db, ch, "U2"), contact(t, db, ch, "U3")
		b := sentBroadcast(t, db, ch, content, u1, u2, u3)

		// After sending, the module is renamed and its button relabelled.
		in.Name, in.Buttons[0].Title = "週年慶選單 v2", "菜單"
		if _, err := models.SaveBotModule(db, modID, in, models.Actor{UserID: 1}, composeNow); err != nil {
			t.Fatal(err)
		}

		tap := tapper(t, db, ch)
		tap("U1", channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: 0})
		tap("U1", channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: 0}) // the same person again
		tap("U2", channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: 0})
		tap("U2", channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: 2})
		tap("U4", channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: 2}) // not in the audience
		tap("U3", channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: 7}) // no such button
		tap("U3", channels.TapPayload{BroadcastID: b.ID, ModuleID: 999, Button: 0})   // no such module sent

		got, err := models.BroadcastButtonClicks(db, b)
		if err != nil {
			t.Fatal(err)
		}
		k := func(i int) string { return fmt.Sprintf("%d:%d", modID, i) }
		want := []models.ButtonClicks{
			{Key: k(0), Source: models.ClickBotCard, ModuleID: modID, ModuleName: "週年慶選單 v2", Button: 0, Label: "看菜單", People: 2, Taps: 3},
			{Key: k(2), Source: models.ClickBotCard, ModuleID: modID, ModuleName: "週年慶選單 v2", Button: 2, Label: "訂位", People: 1, Taps: 1},
		}
		if len(got) != len(want) {
			t.Fatalf("buttons %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("button %d = %+v, want %+v", i, got[i], want[i])
			}
		}

		// Buttons sent but never tapped are listed with 0.
		quiet := sentBroadcast(t, db, ch, content, u1)
		got, err = models.BroadcastButtonClicks(db, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].People != 0 || got[0].Taps != 0 || got[1].Label != "訂位" {
			t.Errorf("untapped buttons %+v", got)
		}
		// Text only, or not sent yet: nothing to list.
		for name, bc := range map[string]*models.Broadcast{
			"text only": sentBroadcast(t, db, ch, channels.Content{Parts: []channels.Part{{Kind: channels.PartText, Text: "hi"}}}),
			"not sent":  {ID: b.ID + 100, ChannelID: ch.ID, Status: models.BroadcastScheduled},
		} {
			if got, err := models.BroadcastButtonClicks(db, bc); err != nil || len(got) != 0 {
				t.Errorf("%s: buttons %+v, %v", name, got, err)
			}
		}
	})
}

// TestBroadcastButtonClicksTemplate: a WhatsApp template's quick-reply
// buttons with an action are listed with the template's labels (URL
// buttons do not shift them) and their action; a button without action
// has no payload and is left out.
func TestBroadcastButtonClicksTemplate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindWhatsApp)
		for _, u := range []string{"886911000001", "886911000002", "886911000003"} {
			apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: u, Phone: u, Time: at(0), DedupeKey: "hello-" + u}, nil)
		}
		components := `[{"type":"BODY","text":"週年慶開跑"},{"type":"BUTTONS","buttons":[` +
			`{"type":"URL","text":"官網","url":"https://shop.example.com"},` +
			`{"type":"QUICK_REPLY","text":"我有興趣"},{"type":"QUICK_REPLY","text":"取消訂閱"},{"type":"QUICK_REPLY","text":"之後再說"}]}]`
		if err := models.ReplaceWATemplates(db, ch.ID, []models.WATemplate{{Name: "anniversary", Language: "zh_TW", Status: "APPROVED",
			Category: "MARKETING", Components: components}}, at(0)); err != nil {
			t.Fatal(err)
		}
		modID := newModule(t, db, buttonInput())
		content := channels.Content{Template: &channels.TemplateFill{Name: "anniversary", Language: "zh_TW", Buttons: []channels.ButtonAction{
			{Action: channels.ActionBot, ModuleID: modID}, {Action: channels.ActionUnsubscribe}, {Action: channels.ActionNone},
		}}}
		p1, p2, p3 := contact(t, db, ch, "886911000001"), contact(t, db, ch, "886911000002"), contact(t, db, ch, "886911000003")
		b := sentBroadcast(t, db, ch, content, p1, p2, p3)

		tap := tapper(t, db, ch)
		tap("886911000001", channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: 0, Action: channels.ActionBot})
		tap("886911000002", channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: 0, Action: channels.ActionBot})
		tap("886911000002", channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: 0, Action: channels.ActionBot})
		tap("886911000003", channels.TapPayload{BroadcastID: b.ID, Button: 1, Action: channels.ActionUnsubscribe})

		got, err := models.BroadcastButtonClicks(db, b)
		if err != nil {
			t.Fatal(err)
		}
		want := []models.ButtonClicks{
			{Key: fmt.Sprintf("%d:0", modID), Source: models.ClickTemplate, ModuleID: modID, ModuleName: "新品通知", Button: 0, Label: "我有興趣",
				Action: channels.ActionBot, People: 2, Taps: 3},
			{Key: "0:1", Source: models.ClickTemplate, Button: 1, Label: "取消訂閱", Action: channels.ActionUnsubscribe, People: 1, Taps: 1},
		}
		if len(got) != len(want) {
			t.Fatalf("buttons %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("button %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}

// TestMigration0026CountsTheTapsAlreadyRecorded: the upgrade fills the
// clicks per button from the taps recorded before it, and taps after it
// add to those counts (a person already counted is not counted again).
func TestMigration0026CountsTheTapsAlreadyRecorded(t *testing.T) {
	each := func(t *testing.T, db *gorm.DB) {
		if err := models.MigrateBefore(db, "0026_button_clicks"); err != nil {
			t.Fatal(err)
		}
		for i, tap := range []struct {
			button  int
			contact uint64
		}{{0, 1}, {0, 1}, {0, 2}, {1, 2}} {
			if err := db.Exec("INSERT INTO button_taps (broadcast_id, module_id, button, contact_id, at) VALUES (?, ?, ?, ?, ?)",
				5, 9, tap.button, tap.contact, at(i)).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := models.Migrate(db); err != nil {
			t.Fatal(err)
		}
		got, err := models.CountTaps(db, 5)
		if err != nil {
			t.Fatal(err)
		}
		want := []models.TapCount{{ModuleID: 9, Button: 0, Taps: 3, People: 2}, {ModuleID: 9, Button: 1, Taps: 1, People: 1}}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("after the upgrade %+v, want %+v", got, want)
		}
		// Contact 2 taps button 0 again: a tap, not a new person.
		if err := db.Create(&models.Delivery{BroadcastID: 5, ContactID: 2, State: models.DeliverySent}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Transaction(func(tx *gorm.DB) error {
			_, err := models.RecordTap(tx, 2, channels.TapPayload{BroadcastID: 5, ModuleID: 9, Button: 0}, at(10))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ = models.CountTaps(db, 5); len(got) != 2 || got[0].Taps != 4 || got[0].People != 2 {
			t.Errorf("after one more tap %+v", got)
		}
	}
	t.Run("sqlite", func(t *testing.T) { each(t, dbtest.SQLiteUnmigrated(t)) })
	t.Run("postgres", func(t *testing.T) { each(t, dbtest.PostgresUnmigrated(t)) })
}
