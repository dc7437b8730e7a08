package jobs

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// templatePayloads reads the quick-reply payloads of the template the
// simulator received for recipient, by button index.
func templatePayloads(t *testing.T, s *sim.Sim, recipient string) map[int]string {
	t.Helper()
	sent := s.SentTo(recipient)
	if len(sent) == 0 {
		t.Fatalf("nothing sent to %s", recipient)
	}
	var body struct {
		Template struct {
			Components []struct {
				Type       string `json:"type"`
				SubType    string `json:"sub_type"`
				Index      string `json:"index"`
				Parameters []struct {
					Payload string `json:"payload"`
				} `json:"parameters"`
			} `json:"components"`
		} `json:"template"`
	}
	if err := json.Unmarshal(sent[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for _, c := range body.Template.Components {
		if c.Type == "button" && c.SubType == "quick_reply" && len(c.Parameters) == 1 {
			i, _ := strconv.Atoi(c.Index)
			out[i] = c.Parameters[0].Payload
		}
	}
	return out
}

// TestWhatsAppTapsRunTheirAction: a WhatsApp template broadcast goes out
// through the simulator with subscribe, unsubscribe and bot-reply
// buttons; people tap them (the simulator's button webhooks, stored as
// the webhook handler stores them). The taps job unsubscribes the one who
// tapped unsubscribe, sends the bot module as an interactive reply to the
// one who tapped it (once, although the webhook is delivered twice),
// leaves a subscribed person subscribed, runs nothing for a payload that
// does not match the broadcast's button, counts every tap per broadcast
// and button and marks the deliveries clicked.
func TestWhatsAppTapsRunTheirAction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		wa := e.channel(channels.KindWhatsApp, "1500000002", 0)
		e.hooks(wa)
		e.waTemplate(wa, "spring_sale")
		ids := e.people(wa, 4)
		people := make([]models.Contact, len(ids))
		for i, id := range ids {
			db.First(&people[i], id)
		}
		mod, err := models.SaveBotModule(db, 0, models.BotModuleInput{Name: "menu", Kind: channels.CardButton, Text: "想看什麼？",
			Buttons: []models.ModuleButton{{Title: "新品", Type: channels.ButtonReply, Payload: "NEW"}, {Title: "優惠", Type: channels.ButtonReply, Payload: "SALE"}}},
			models.Actor{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r := e.runner(nil)
		content := models.BroadcastContent{Template: &models.TemplateSpec{Name: "spring_sale", Language: "zh_TW",
			BodyParams: []models.ParamSpec{{ContactName: true}},
			Buttons: []models.ButtonSpec{{Action: channels.ActionSubscribe}, {Action: channels.ActionUnsubscribe},
				{Action: channels.ActionBot, BotModuleID: mod.ID}}}}
		b := e.broadcast(wa, content, time.Now(), ids, nil)
		r.Schedule(b.ID, time.Now())
		e.waitStatus(b.ID, models.BroadcastDone, 20*time.Second)

		ctx := t.Context()
		tap := func(p models.Contact, button int) {
			t.Helper()
			payload := templatePayloads(t, e.sim, p.ExternalID)[button]
			if payload == "" {
				t.Fatalf("no payload on button %d for %s", button, p.ExternalID)
			}
			if err := e.sim.Postback(ctx, wa.ExternalID, p.ExternalID, payload); err != nil {
				t.Fatal(err)
			}
		}
		tap(people[0], 1) // unsubscribe
		tap(people[1], 2) // the bot reply
		if err := e.sim.RedeliverLast(ctx, wa.ExternalID); err != nil {
			t.Fatal(err)
		}
		tap(people[2], 0) // subscribe, already subscribed
		// A payload naming the bot on the subscribe button: not the broadcast's.
		forged := channels.EncodeTap(channels.TapPayload{BroadcastID: b.ID, ModuleID: mod.ID, Button: 0, Action: channels.ActionBot})
		if err := e.sim.Postback(ctx, wa.ExternalID, people[3].ExternalID, forged); err != nil {
			t.Fatal(err)
		}

		waitFor(t, 20*time.Second, "tap actions run", func() bool {
			var open int64
			db.Model(&models.ButtonTap{}).Where("action_state IN ?", []string{models.TapPending, models.TapRunning}).Count(&open)
			var all int64
			db.Model(&models.ButtonTap{}).Count(&all)
			return all == 4 && open == 0
		})
		states, err := models.CountTapActions(db, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, s := range states {
			got[strconv.Itoa(s.Button)+"/"+s.Action+"/"+s.State] = s.Taps
		}
		want := map[string]int64{"0/subscribe/done": 1, "1/unsubscribe/done": 1, "2/bot/done": 1, "0/bot/skipped": 1}
		if len(got) != len(want) {
			t.Errorf("tap actions %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("tap actions %v, want %v", got, want)
				break
			}
		}
		a, _ := models.FindContact(db, wa.ID, people[0].ExternalID)
		if a.Subscribed || a.UnsubscribedAt == nil {
			t.Errorf("the person who tapped unsubscribe is subscribed=%v", a.Subscribed)
		}
		if c, _ := models.FindContact(db, wa.ID, people[2].ExternalID); !c.Subscribed {
			t.Errorf("the person who tapped subscribe is not subscribed")
		}
		// The bot reply: one interactive message with the module's buttons.
		var replies []sim.Sent
		for _, s := range e.sim.SentTo(people[1].ExternalID) {
			if strings.Contains(string(s.Body), `"interactive"`) {
				replies = append(replies, s)
			}
		}
		if len(replies) != 1 || !strings.Contains(string(replies[0].Body), "想看什麼？") || !strings.Contains(string(replies[0].Body), "優惠") {
			t.Fatalf("bot replies to the tapper: %d %v", len(replies), replies)
		}
		for _, p := range []models.Contact{people[0], people[2], people[3]} {
			for _, s := range e.sim.SentTo(p.ExternalID) {
				if strings.Contains(string(s.Body), `"interactive"`) {
					t.Errorf("%s got a bot reply it did not ask for", p.ExternalID)
				}
			}
		}
		// Counted per broadcast and button; each delivery clicked once.
		counts, err := models.CountTaps(db, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		perButton := map[string]int64{}
		for _, c := range counts {
			perButton[strconv.Itoa(int(c.ModuleID))+"/"+strconv.Itoa(c.Button)] = c.Taps
		}
		m := strconv.Itoa(int(mod.ID))
		if perButton["0/1"] != 1 || perButton[m+"/2"] != 1 || perButton["0/0"] != 1 || perButton[m+"/0"] != 1 {
			t.Errorf("taps per button %v", perButton)
		}
		var clicked int64
		db.Model(&models.Delivery{}).Where("broadcast_id = ? AND clicked_at IS NOT NULL", b.ID).Count(&clicked)
		if got, _ := models.FindBroadcast(db, b.ID); clicked != 4 || got.ClickedCount != 4 {
			t.Errorf("clicked deliveries %d, counter %d, want 4", clicked, got.ClickedCount)
		}
	})
}
