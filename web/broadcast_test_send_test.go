package web

import (
	"context"
	"encoding/json"
	"gorm.io/gorm"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/jobs"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// tester is one contact of a test-send test: on the simulator's roster
// (a friend, a Page's person, a WhatsApp number) unless stranger.
type tester struct {
	id, name     string
	unsubscribed bool
	stranger     bool
}

// channelOnSim connects a channel of kind to a fresh simulator and adds
// the testers (plus one contact who is not a tester), with an audience
// of the whole channel.
func channelOnSim(t *testing.T, app *testApp, kind string, testers []tester) (*sim.Sim, *models.Channel, string) {
	t.Helper()
	s := sim.New(sim.Config{Now: app.clock.Now})
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ch := app.channel(kind, base)
	s.AddAccount(sim.Account{Kind: kind, ExternalID: ch.ExternalID, WABAID: ch.WABAID, AccessToken: "token-" + kind + "-1234", Secret: "secret-" + kind})
	for _, tc := range append(testers, tester{id: "9000000000000000" + "99", name: "Not a tester"}) {
		if !tc.stranger {
			s.AddPerson(ch.ExternalID, sim.Person{ID: tc.id, Name: tc.name, LastInteraction: app.clock.Now()})
		}
		c := models.Contact{ChannelID: ch.ID, ExternalID: tc.id, Name: tc.name, Subscribed: true, Tester: tc.name != "Not a tester"}
		if err := app.db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		if tc.unsubscribed {
			app.db.Model(&c).Update("subscribed", false)
		}
	}
	a, err := models.SaveAudience(app.db, models.ContactFilter{ChannelID: ch.ID}, nil, true, 1, app.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s, ch, itoa(a.ID)
}

// results reads the test results beside the button: name → "ok" or the reason.
func results(p page) map[string]string {
	out := map[string]string{}
	p.doc.Find(`[data-testid="test-result"]`).Each(func(_ int, li *goquery.Selection) {
		text := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(li.Text()), "✓✗"))
		name, why, _ := strings.Cut(text, ": ")
		if v, _ := li.Attr("data-ok"); v == "true" {
			why = "ok"
		}
		out[strings.TrimSpace(name)] = why
	})
	return out
}

// wantNothingCounted checks a test send wrote no delivery, counter or tap.
func wantNothingCounted(t *testing.T, app *testApp) {
	t.Helper()
	var deliveries, taps int64
	app.db.Model(&models.Delivery{}).Count(&deliveries)
	app.db.Model(&models.ButtonTap{}).Count(&taps)
	if deliveries != 0 || taps != 0 {
		t.Errorf("a test send wrote %d deliveries and %d taps", deliveries, taps)
	}
	var list []models.Broadcast
	app.db.Find(&list)
	for _, b := range list {
		if b.Status != models.BroadcastDraft || b.SentCount+b.FailedCount+b.SkippedCount+b.PendingCount+b.AudienceCount+b.FrozenCount != 0 {
			t.Errorf("broadcast %d after a test send: status %s, sent %d failed %d skipped %d pending %d audience %d",
				b.ID, b.Status, b.SentCount, b.FailedCount, b.SkippedCount, b.PendingCount, b.AudienceCount)
		}
	}
}

// sentBody is the one message the simulator accepted for recipient.
func sentBody(t *testing.T, s *sim.Sim, recipient string) string {
	t.Helper()
	got := s.SentTo(recipient)
	if len(got) != 1 {
		t.Fatalf("%d messages reached %s, want 1", len(got), recipient)
	}
	return string(got[0].Body)
}

func TestTestSendLINE(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.lang = "en"
		b.signIn("mei@example.com")
		friend, stranger, gone := "U0000000000000000000000000000000a", "U0000000000000000000000000000000b", "U0000000000000000000000000000000c"
		s, _, aud := channelOnSim(t, app, channels.KindLINE, []tester{
			{id: friend, name: "Mei"}, {id: stranger, name: "Stranger", stranger: true}, {id: gone, name: "Gone", unsubscribed: true},
		})
		f := composerForm(aud, "Anniversary", "Hello {{name}}, see you soon")
		f.Set("op", "test")
		p := b.post("/broadcasts", f)
		wantStatus(t, p, http.StatusOK)
		got := results(p)
		if got["Mei"] != "ok" || got["Stranger"] == "ok" || got["Stranger"] == "" || got["Gone"] != "not sent: this tester has unsubscribed" || len(got) != 3 {
			t.Fatalf("results %v", got)
		}
		if body := sentBody(t, s, friend); !strings.Contains(body, "Hello Mei, see you soon") {
			t.Errorf("LINE got %s", body)
		}
		if len(s.Sent()) != 1 {
			t.Errorf("%d messages sent, want only the friend's", len(s.Sent()))
		}
		wantNothingCounted(t, app)
	})
}

func TestTestSendMessengerBotCard(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	b := app.browser()
	b.lang = "zh-TW"
	b.signIn("mei@example.com")
	psid := "7000000000000001"
	s, _, aud := channelOnSim(t, app, channels.KindMessenger, []tester{{id: psid, name: "美玲"}})
	m := app.saveModule(models.BotModuleInput{Name: "活動提醒", Kind: channels.CardButton, Text: "講座明天開始，請準時入場",
		Buttons: []models.ModuleButton{{Title: "我會到", Type: channels.ButtonReply, Payload: "YES"}}})
	f := url.Values{"audience": {aud}, "subject": {"講座提醒"}, "send_mode": {"now"}, "message_tag": {models.TagEventUpdate},
		"m_type": {"bot_card"}, "m_text": {""}, "m_upload": {""}, "m_thumb": {""}, "m_module": {itoa(m.ID)}, "op": {"test"}}
	p := b.post("/broadcasts", f)
	wantStatus(t, p, http.StatusOK)
	if got := results(p); got["美玲"] != "ok" || len(got) != 1 {
		t.Fatalf("results %v (%s)", got, p.text(`[data-testid="composer-errors"]`))
	}
	var req struct {
		Tag     string `json:"tag"`
		Message struct {
			Attachment struct {
				Payload struct {
					Text    string `json:"text"`
					Buttons []struct {
						Payload string `json:"payload"`
					} `json:"buttons"`
				} `json:"payload"`
			} `json:"attachment"`
		} `json:"message"`
	}
	body := sentBody(t, s, psid)
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	pl := req.Message.Attachment.Payload
	if req.Tag != "CONFIRMED_EVENT_UPDATE" || pl.Text != "講座明天開始，請準時入場" || len(pl.Buttons) != 1 {
		t.Fatalf("Messenger got %s", body)
	}
	// The tap payload names no broadcast: a tester's tap is never counted.
	tap, ok := channels.DecodeTap(pl.Buttons[0].Payload)
	if !ok || tap.BroadcastID != 0 || tap.ModuleID != m.ID {
		t.Errorf("tap payload %q decodes to %+v, %v", pl.Buttons[0].Payload, tap, ok)
	}
	wantNothingCounted(t, app)
}

func TestTestSendWhatsAppTemplate(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	b := app.browser()
	b.lang = "en"
	b.signIn("mei@example.com")
	s, ch, aud := channelOnSim(t, app, channels.KindWhatsApp, []tester{{id: "886912345678", name: "Mei"}, {id: "886912345679", name: ""}})
	s.AddTemplate(ch.WABAID, sim.Template{Name: "order_shipped", Language: "en_US", Category: "UTILITY", Components: []sim.TemplateComponent{
		{Type: "HEADER", Format: "TEXT", Text: "Order {{1}}"},
		{Type: "BODY", Text: "Hi {{1}}, your order has shipped."},
		{Type: "BUTTONS", Buttons: []sim.TemplateButton{{Type: "QUICK_REPLY", Text: "Stop updates"}}},
	}})
	if _, err := jobs.SyncWATemplates(context.Background(), app.db, app.srv.sealer, ch, app.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f := url.Values{"audience": {aud}, "subject": {"Shipping"}, "send_mode": {"now"}, "template": {"order_shipped|en_US"},
		"hp_kind": {"text"}, "hp_text": {"A-1024"}, "hp_name": {""}, "bp_kind": {"contact"}, "bp_text": {""}, "bp_name": {""},
		"btn_action": {"unsubscribe"}, "btn_module": {""}, "op": {"test"}}
	p := b.post("/broadcasts", f)
	wantStatus(t, p, http.StatusOK)
	got := results(p)
	if got["Mei"] != "ok" || !strings.Contains(got[""], "contact name") || len(got) != 2 {
		t.Fatalf("results %v (%s)", got, p.text(`[data-testid="composer-errors"]`))
	}
	body := sentBody(t, s, "886912345678")
	for _, want := range []string{`"A-1024"`, `"Mei"`, `"quick_reply"`} {
		if !strings.Contains(body, want) {
			t.Errorf("WhatsApp got %s, want %s in it", body, want)
		}
	}
	var req struct {
		Template struct {
			Components []struct {
				Type       string `json:"type"`
				Parameters []struct {
					Payload string `json:"payload"`
				} `json:"parameters"`
			} `json:"components"`
		} `json:"template"`
	}
	_ = json.Unmarshal([]byte(body), &req)
	for _, c := range req.Template.Components {
		if c.Type == "button" {
			tap, ok := channels.DecodeTap(c.Parameters[0].Payload)
			if !ok || tap.BroadcastID != 0 || tap.Action != channels.ActionUnsubscribe {
				t.Errorf("button payload %q decodes to %+v", c.Parameters[0].Payload, tap)
			}
		}
	}
	wantNothingCounted(t, app)
}
