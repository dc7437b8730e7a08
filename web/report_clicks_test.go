package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// clicksBroadcast stores a finished broadcast of ch that sent content to
// n new contacts (delivered unless LINE), and returns it with them.
func clicksBroadcast(t *testing.T, db *gorm.DB, ch *models.Channel, by uint, content channels.Content, n int) (*models.Broadcast, []models.Contact) {
	t.Helper()
	raw, err := json.Marshal(content)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	b := reportBroadcast(t, db, ch, by, "週年慶", models.BroadcastDone, at, func(b *models.Broadcast) {
		b.SentContent = string(raw)
		b.AudienceCount, b.FrozenCount, b.SentCount = int64(n), int64(n), int64(n)
		if ch.Kind != channels.KindLINE {
			b.DeliveredCount = int64(n)
		}
		b.FinishedAt = &at
	})
	var people []models.Contact
	for i := range n {
		c := models.Contact{ChannelID: ch.ID, ExternalID: ch.Kind + "-p" + strconv.Itoa(i) + "-" + uidStr(b.ID), Subscribed: true}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		d := models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: models.DeliverySent, SentAt: &at, UpdatedAt: at}
		if ch.Kind != channels.KindLINE {
			d.DeliveredAt = &at
		}
		if err := db.Create(&d).Error; err != nil {
			t.Fatal(err)
		}
		people = append(people, c)
	}
	return b, people
}

// tapAs records a tap of contact c on the broadcast's button, as the
// webhook does.
func tapAs(t *testing.T, db *gorm.DB, c models.Contact, p channels.TapPayload) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		ok, err := models.RecordTap(tx, c.ID, p, time.Date(2026, 11, 20, 3, 5, 0, 0, time.UTC))
		if err == nil && !ok {
			t.Errorf("tap %+v of contact %d not counted", p, c.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// buttonRows reads the page's clicks per button: data-button → row.
func buttonRows(p page) map[string]*goquery.Selection {
	out := map[string]*goquery.Selection{}
	p.doc.Find(`[data-testid="button-clicks"] [data-testid="button-click"]`).Each(func(_ int, s *goquery.Selection) {
		key, _ := s.Attr("data-button")
		out[key] = s
	})
	return out
}

func cardModule(t *testing.T, db *gorm.DB, name string) (uint, channels.Card) {
	t.Helper()
	m, err := models.SaveBotModule(db, 0, models.BotModuleInput{Name: name, Kind: channels.CardButton, Text: "想看什麼？",
		Buttons: []models.ModuleButton{
			{Title: "看菜單", Type: channels.ButtonReply, Payload: "MENU"},
			{Title: "官網", Type: channels.ButtonURL, URL: "https://shop.example.com"},
			{Title: "立即訂位", Type: channels.ButtonReply, Payload: "BOOK"},
		}}, models.Actor{UserID: 1}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	card, err := m.Card(nil)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID, card
}

// TestBroadcastPageButtonClicks: the page lists each reply button sent
// with the people who tapped it (a person twice counts once), the taps,
// the rate over delivered and how it is computed, the module linked to
// its editor; link buttons are not listed, untapped ones show 0, and a
// broadcast without buttons shows no list.
func TestBroadcastPageButtonClicks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		ch := reportChannel(t, db, channels.KindMessenger, "粉絲專頁")
		modID, card := cardModule(t, db, "週年慶選單")
		content := channels.Content{Parts: []channels.Part{{Kind: channels.PartText, Text: "hi"}, {Kind: channels.PartBotCard, Card: &card, ModuleID: modID}}}
		b, people := clicksBroadcast(t, db, ch, owner.ID, content, 4)
		tap := func(c models.Contact, button int) {
			tapAs(t, db, c, channels.TapPayload{BroadcastID: b.ID, ModuleID: modID, Button: button})
		}
		tap(people[0], 0)
		tap(people[0], 0)
		tap(people[1], 0)
		tap(people[1], 2)

		br := app.browser()
		br.lang = "zh-TW"
		br.signIn("owner@example.com")
		p := br.get("/broadcasts/" + uidStr(b.ID))
		wantStatus(t, p, http.StatusOK)
		rows := buttonRows(p)
		menu, book := rows[uidStr(modID)+":0"], rows[uidStr(modID)+":2"]
		if len(rows) != 2 || menu == nil || book == nil {
			t.Fatalf("button rows %v, want the two reply buttons", rows)
		}
		for _, c := range []struct {
			row                       *goquery.Selection
			label, people, taps, rate string
		}{{menu, "看菜單", "2", "3", "50.0%"}, {book, "立即訂位", "1", "1", "25.0%"}} {
			if got, _ := c.row.Attr("data-count"); got != c.people {
				t.Errorf("%s: data-count %q, want %q", c.label, got, c.people)
			}
			if got, _ := c.row.Attr("data-taps"); got != c.taps {
				t.Errorf("%s: data-taps %q, want %q", c.label, got, c.taps)
			}
			text := strings.Join(strings.Fields(c.row.Text()), " ")
			if !strings.Contains(text, c.label) || !strings.Contains(text, c.rate) || !strings.Contains(text, "共點選 "+c.taps+" 次") {
				t.Errorf("%s row reads %q, want its label, %s and its taps", c.label, text, c.rate)
			}
			if how, _ := c.row.Attr("title"); !strings.Contains(how, "點選人數 ÷ 已送達") {
				t.Errorf("%s: tooltip %q", c.label, how)
			}
			if href, _ := c.row.Find(`a[data-testid="button-module"]`).Attr("href"); href != "/bots/"+uidStr(modID)+"/edit" ||
				c.row.Find(`a[data-testid="button-module"]`).Text() != "週年慶選單" {
				t.Errorf("%s: module link %q", c.label, href)
			}
		}
		if strings.Contains(p.text(`[data-testid="button-clicks"]`), "官網") {
			t.Error("the link button is listed, though its taps never come back")
		}
		if got := p.text(`[data-testid="cohort-select"] option[value="button:` + uidStr(modID) + `:2"]`); got != "點選「立即訂位」的人（1）" {
			t.Errorf("cohort choice of a button reads %q, want it named by its label", got)
		}
		if got := p.text(`[data-testid="figure-clicked"] .value`); got != "2" {
			t.Errorf("clicked figure %q, want the 2 people", got)
		}
		// The figures' poll carries the list too.
		frag := br.get("/broadcasts/" + uidStr(b.ID) + "/figures")
		if len(buttonRows(frag)) != 2 {
			t.Error("the figures fragment lost the clicks per button")
		}

		quiet, _ := clicksBroadcast(t, db, ch, owner.ID, content, 2)
		rows = buttonRows(br.get("/broadcasts/" + uidStr(quiet.ID)))
		if c, _ := rows[uidStr(modID)+":0"].Attr("data-count"); len(rows) != 2 || c != "0" {
			t.Errorf("untapped buttons: %d rows, count %q", len(rows), c)
		}
		plain, _ := clicksBroadcast(t, db, ch, owner.ID, channels.Content{Parts: []channels.Part{{Kind: channels.PartText, Text: "hi"}}}, 2)
		if n := br.get("/broadcasts/" + uidStr(plain.ID)).doc.Find(`[data-testid="button-clicks"]`).Length(); n != 0 {
			t.Error("a broadcast without buttons shows a clicks list")
		}

		// LINE has no delivery receipts: the rate is over sent, and says so.
		line := reportChannel(t, db, channels.KindLINE, "LINE 官方帳號")
		lb, lp := clicksBroadcast(t, db, line, owner.ID, content, 5)
		tapAs(t, db, lp[3], channels.TapPayload{BroadcastID: lb.ID, ModuleID: modID, Button: 2})
		lpage := br.get("/broadcasts/" + uidStr(lb.ID))
		row := buttonRows(lpage)[uidStr(modID)+":2"]
		if how, _ := row.Attr("title"); !strings.Contains(row.Text(), "20.0%") || !strings.Contains(how, "÷ 已發送") {
			t.Errorf("LINE button row %q, tooltip %q", strings.Join(strings.Fields(row.Text()), " "), how)
		}
		if how, _ := lpage.doc.Find(`[data-testid="figure-clicked"]`).Attr("title"); !strings.Contains(how, "÷ 已發送") {
			t.Errorf("LINE clicked figure tooltip %q", how)
		}
	})
}

// TestBroadcastPageButtonClicksEnglish: in English the list, its
// tooltip and a WhatsApp template button's action are in English.
func TestBroadcastPageButtonClicksEnglish(t *testing.T) {
	db := dbtest.SQLite(t)
	app := newTestApp(t, db)
	owner := app.addUser("owner@example.com", models.RoleMarketer)
	ch := reportChannel(t, db, channels.KindWhatsApp, "WhatsApp")
	components := `[{"type":"BODY","text":"{{1}}, the sale starts {{2}}."},{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Show me"},{"type":"QUICK_REPLY","text":"Stop"}]}]`
	if err := models.ReplaceWATemplates(db, ch.ID, []models.WATemplate{{Name: "sale", Language: "en", Status: "APPROVED", Components: components}},
		time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	modID, _ := cardModule(t, db, "Menu")
	content := channels.Content{Template: &channels.TemplateFill{Name: "sale", Language: "en", Buttons: []channels.ButtonAction{
		{Action: channels.ActionBot, ModuleID: modID}, {Action: channels.ActionUnsubscribe}}}}
	b, people := clicksBroadcast(t, db, ch, owner.ID, content, 3)
	spec := `{"template":{"name":"sale","language":"en","body_params":[{"contact_name":true},{"text":"today"}]}}`
	if err := db.Model(b).Update("content", spec).Error; err != nil {
		t.Fatal(err)
	}
	tapAs(t, db, people[2], channels.TapPayload{BroadcastID: b.ID, Button: 1, Action: channels.ActionUnsubscribe})

	br := app.browser()
	br.lang = "en"
	br.signIn("owner@example.com")
	p := br.get("/broadcasts/" + uidStr(b.ID))
	wantStatus(t, p, http.StatusOK)
	if got := p.text(`[data-testid="template-filled"]`); got != "[contact name], the sale starts today." {
		t.Errorf("the template as sent reads %q", got)
	}
	list := p.doc.Find(`[data-testid="button-clicks"]`)
	if h := strings.TrimSpace(list.Find("h2").Text()); h != "Clicks per button" {
		t.Errorf("heading %q", h)
	}
	rows := buttonRows(p)
	show, stop := rows[uidStr(modID)+":0"], rows["0:1"]
	if show == nil || stop == nil {
		t.Fatalf("rows %v", rows)
	}
	if text := strings.Join(strings.Fields(show.Text()), " "); !strings.Contains(text, "Show me") || !strings.Contains(text, "Replies with bot module: Menu") ||
		!strings.Contains(text, "0 taps in all") {
		t.Errorf("bot reply button row %q", text)
	}
	if c, _ := stop.Attr("data-count"); c != "1" || !strings.Contains(stop.Text(), "Unsubscribes the person") || !strings.Contains(stop.Text(), "33.3%") {
		t.Errorf("unsubscribe button row %q, count %q", strings.Join(strings.Fields(stop.Text()), " "), c)
	}
	if how, _ := stop.Attr("title"); !strings.Contains(how, "people ÷ delivered") {
		t.Errorf("tooltip %q", how)
	}
	for _, s := range []string{"按鈕", "點選", "report."} {
		if strings.Contains(list.Text(), s) {
			t.Errorf("the English list holds %q: %q", s, strings.Join(strings.Fields(list.Text()), " "))
		}
	}
}
