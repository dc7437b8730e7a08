package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// composerForm is the form as the composer page posts it.
func composerForm(audience, subject string, texts ...string) url.Values {
	f := url.Values{"audience": {audience}, "subject": {subject}, "send_mode": {"now"}, "message_tag": {"standard"}}
	for _, t := range texts {
		f.Add("m_type", "text")
		f.Add("m_text", t)
		f.Add("m_upload", "")
		f.Add("m_thumb", "")
		f.Add("m_module", "")
	}
	return f
}

// openComposer saves an audience of a new channel of kind and returns its id.
func openComposer(t *testing.T, app *testApp, b *browser, kind string) (*models.Channel, string) {
	t.Helper()
	// LINE's quota answers from loopback: no test reaches the internet.
	quota := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/consumption") {
			fmt.Fprint(w, `{"totalUsage":195}`)
			return
		}
		fmt.Fprint(w, `{"type":"limited","value":200}`)
	}))
	t.Cleanup(quota.Close)
	ch := app.channel(kind, quota.URL)
	app.seedContacts(ch, 12)
	p := b.post("/audiences", url.Values{"channel": {itoa(ch.ID)}, "filter": {"channel=" + itoa(ch.ID)}, "all": {"1"}})
	wantStatus(t, p, http.StatusSeeOther)
	return ch, strings.TrimPrefix(p.location(), "/broadcasts/new?audience=")
}

func TestComposerAddButtonsFollowTheRules(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	b := app.browser()
	b.signIn("mei@example.com")
	_, aud := openComposer(t, app, b, channels.KindLINE)

	p := b.get("/broadcasts/new?audience=" + aud)
	wantStatus(t, p, http.StatusOK)
	for _, id := range []string{"add-text", "add-image", "add-bot-card"} {
		if p.doc.Find(`[data-testid="`+id+`"]`).Length() != 1 {
			t.Fatalf("no %s button", id)
		}
	}
	// One text is there from the start: a bot card is refused, and says why.
	card := p.doc.Find(`[data-testid="add-bot-card"]`)
	if _, dis := card.Attr("disabled"); !dis {
		t.Fatal("add-bot-card is enabled beside a text")
	}
	if title, _ := card.Attr("title"); title == "" || p.text(`[data-testid="add-bot-card-reason"]`) != title {
		t.Fatalf("refusal not stated: title %q, beside %q", title, p.text(`[data-testid="add-bot-card-reason"]`))
	}

	// Up to 5 messages; then text and image are refused too.
	f := composerForm(aud, "s", "一", "二", "三", "四")
	f.Set("op", "add_text")
	p = b.post("/broadcasts", f)
	wantStatus(t, p, http.StatusOK)
	if n := p.doc.Find(`[data-testid="message"]`).Length(); n != 5 {
		t.Fatalf("%d messages after add, want 5", n)
	}
	if _, dis := p.doc.Find(`[data-testid="add-text"]`).Attr("disabled"); !dis {
		t.Fatal("add-text enabled at 5 messages")
	}
	// Move and remove keep what was typed.
	f = composerForm(aud, "s", "一", "二", "三")
	f.Set("op", "down:0")
	p = b.post("/broadcasts", f)
	var got []string
	p.doc.Find(`textarea[name="m_text"]`).Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
	if strings.Join(got, ",") != "二,一,三" {
		t.Fatalf("after down:0 texts are %v", got)
	}
	f.Set("op", "remove:1")
	p = b.post("/broadcasts", f)
	got = nil
	p.doc.Find(`textarea[name="m_text"]`).Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
	if strings.Join(got, ",") != "一,三" {
		t.Fatalf("after remove:1 texts are %v", got)
	}
}

func TestComposerDraftErrorsAndConfirm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.signIn("mei@example.com")
		_, aud := openComposer(t, app, b, channels.KindLINE)
		b.get("/broadcasts/new?audience=" + aud)

		// 下一步 with an empty subject and an empty text: saved as a draft,
		// refused beside the fields, everything typed still there.
		f := composerForm(aud, "", "您好 {{name}}", "")
		f.Set("op", "next")
		f.Set("apply_tags", "春季活動")
		p := b.post("/broadcasts", f)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if p.text(`[data-field-error="subject"]`) == "" || p.text(`[data-field-error="messages[1].text"]`) == "" {
			t.Fatalf("errors not beside their fields: %s", p.text(`[data-testid="composer-errors"]`))
		}
		if p.text(`textarea[name="m_text"]`) != "您好 {{name}}" {
			t.Fatalf("typed text lost: %q", p.text(`textarea[name="m_text"]`))
		}
		if v, _ := p.doc.Find(`#apply_tags`).Attr("value"); v != "春季活動" {
			t.Fatalf("tags lost: %q", v)
		}
		action, _ := p.doc.Find(`[data-testid="composer"]`).Attr("action")
		if !strings.HasPrefix(action, "/broadcasts/") {
			t.Fatalf("a refused draft is not saved: form posts to %q", action)
		}
		version, _ := p.doc.Find(`input[name="version"]`).Attr("value")

		// Fixed: goes to the confirmation.
		f = composerForm(aud, "週年慶", "您好 {{name}}")
		f.Set("op", "next")
		f.Set("version", version)
		p = b.post(action, f)
		wantStatus(t, p, http.StatusSeeOther)
		if p.location() != action+"/confirm" {
			t.Fatalf("next went to %q", p.location())
		}
		p = b.get(p.location())
		wantStatus(t, p, http.StatusOK)
		for _, id := range []string{"confirm-audience", "confirm-sendable", "confirm-skipped", "confirm-quota", "confirm-duration"} {
			if p.doc.Find(`[data-testid="`+id+`"]`).Length() != 1 {
				t.Fatalf("confirmation lacks %s", id)
			}
		}
		if n, _ := p.doc.Find(`[data-testid="confirm-audience"]`).Attr("data-count"); n == "" || n == "0" {
			t.Fatalf("audience count %q", n)
		}
		if r, _ := p.doc.Find(`[data-testid="confirm-quota"]`).Attr("data-remaining"); r != "5" {
			t.Fatalf("LINE quota remaining %q, want 5 (200 - 195)", r)
		}
		if m, _ := p.doc.Find(`[data-testid="confirm-method"]`).Attr("data-multicast"); m != "false" {
			t.Fatalf("a personalised LINE text goes by multicast? %q", m)
		}
		cv, _ := p.doc.Find(`[data-testid="confirm-form"] input[name="version"]`).Attr("value")
		p = b.post(action+"/confirm", url.Values{"version": {cv}})
		wantStatus(t, p, http.StatusSeeOther)
		id, _ := parseID(strings.TrimPrefix(action, "/broadcasts/"))
		bc, err := models.FindBroadcast(db, id)
		if err != nil {
			t.Fatal(err)
		}
		if bc.Status == models.BroadcastDraft || bc.ConfirmedBy == nil {
			t.Fatalf("after confirming: status %s, confirmed by %v", bc.Status, bc.ConfirmedBy)
		}
	})
}

func TestComposerInstagramSaysWhy(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	b := app.browser()
	b.signIn("mei@example.com")
	ch := app.channel(channels.KindInstagram, "")
	app.seedContacts(ch, 2)
	a, err := models.SaveAudience(app.db, models.ContactFilter{ChannelID: ch.ID}, nil, true, 1, app.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := b.get("/broadcasts/new?audience=" + itoa(a.ID))
	wantStatus(t, p, http.StatusOK)
	if p.doc.Find(`[data-testid="instagram-not-supported"]`).Length() != 1 {
		t.Fatal("Instagram composer page does not say it is not supported")
	}
}
