package web

import (
	"gorm.io/gorm"
	"net/http"
	"strings"
	"testing"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// saveModule stores a bot module for a test.
func (a *testApp) saveModule(in models.BotModuleInput) *models.BotModule {
	a.t.Helper()
	m, err := models.SaveBotModule(a.db, 0, in, models.Actor{}, a.clock.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	return m
}

func TestComposerOffersBotCardsByFit(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	b := app.browser()
	b.lang = "en"
	b.signIn("mei@example.com")
	_, aud := openComposer(t, app, b, channels.KindLINE)
	short := app.saveModule(models.BotModuleInput{Name: "Short card", Kind: channels.CardButton, Text: "New arrivals",
		Buttons: []models.ModuleButton{{Title: "See", Type: channels.ButtonURL, URL: "https://shop.example.com"}}})
	long := app.saveModule(models.BotModuleInput{Name: "Long card", Kind: channels.CardButton, Text: strings.Repeat("a", 200),
		Buttons: []models.ModuleButton{{Title: "See", Type: channels.ButtonURL, URL: "https://shop.example.com"}}})

	// No message yet: the picker lists both, the long one disabled with why.
	f := composerForm(aud, "s", "x")
	f.Set("op", "remove:0")
	p := b.post("/broadcasts", f)
	wantStatus(t, p, http.StatusOK)
	choice := func(id uint) (disabled bool, text string) {
		sel := p.doc.Find(`[data-testid="bot-card-choice"][value="add_bot_card:` + itoa(id) + `"]`)
		if sel.Length() != 1 {
			t.Fatalf("module %d not offered: %.400s", id, p.text(`[data-testid="bot-card-picker"]`))
		}
		_, disabled = sel.Attr("disabled")
		return disabled, sel.Text()
	}
	if dis, _ := choice(short.ID); dis {
		t.Error("a module that fits LINE is disabled")
	}
	dis, text := choice(long.ID)
	if !dis || !strings.Contains(text, "The card text is 200 characters long; this channel allows at most 160") {
		t.Errorf("unfit module: disabled %v, says %q", dis, text)
	}

	// Picking the fitting one puts it alone in the list.
	f.Set("op", "add_bot_card:"+itoa(short.ID))
	f.Del("m_type")
	p = b.post("/broadcasts", f)
	wantStatus(t, p, http.StatusOK)
	if p.doc.Find(`[data-testid="message"][data-type="bot_card"]`).Length() != 1 || !strings.Contains(p.text(`[data-testid="messages"]`), "Short card") {
		t.Fatalf("bot card not added: %s", p.text(`[data-testid="messages"]`))
	}
}

func TestComposerShowsTagLockAndTesters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.lang = "zh-TW"
		b.signIn("mei@example.com")
		ch, aud := openComposer(t, app, b, channels.KindMessenger)
		var ids []uint64
		db.Model(&models.Contact{}).Where("channel_id = ?", ch.ID).Order("id").Limit(6).Pluck("id", &ids)
		for _, id := range ids {
			if err := models.SetTester(db, id, true); err != nil {
				t.Fatal(err)
			}
		}
		text := "週年慶限時 8 折，快來搶購"
		if err := models.LockTaggedBroadcasts(db, ch.ID, models.LockPromotional, text, models.Actor{}, app.clock.Now()); err != nil {
			t.Fatal(err)
		}

		p := b.get("/broadcasts/new?audience=" + aud)
		wantStatus(t, p, http.StatusOK)
		if got := p.text(`[data-testid="tag-lock-reason"]`); got != "在訊息標籤下發送促銷內容" {
			t.Errorf("lock reason %q", got)
		}
		if got := p.text(`[data-testid="tag-lock-text"]`); got != text {
			t.Errorf("lock text %q", got)
		}
		if p.doc.Find(`[data-testid="tag-lock-text"] mark[data-testid="promo-hit"]`).Length() == 0 {
			t.Error("the promotional phrase is not marked")
		}
		if href, _ := p.doc.Find(`[data-testid="tag-lock-link"]`).Attr("href"); href != "/channels/"+itoa(ch.ID) {
			t.Errorf("lock link %q", href)
		}
		if n := p.doc.Find(`[data-testid="tester"]`).Length(); n != models.MaxTestSend {
			t.Errorf("%d testers listed, want %d", n, models.MaxTestSend)
		}

		// Unlocked, the composer says nothing of it.
		if err := models.UnlockTaggedBroadcasts(db, ch.ID, models.Actor{}, app.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if b.get("/broadcasts/new?audience="+aud).doc.Find(`[data-testid="tag-lock"]`).Length() != 0 {
			t.Error("an unlocked channel still shows the lock")
		}
	})
}
