package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestComposerImageNeedsHTTPS: an image for a channel on the platform's
// real host, while the public URL is plain http, is refused beside the
// image with the reason; an admin gets a link to Settings, a marketer is
// told to ask one; the upload is kept. With an https public URL the same
// draft goes on to the confirmation.
func TestComposerImageNeedsHTTPS(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	app.addUser("admin@example.com", models.RoleAdmin)
	app.setPublicURL("http://omnicast.example.com")
	ch := app.channel(channels.KindLINE, "") // api.line.me: never called here
	app.seedContacts(ch, 3)
	a, err := models.SaveAudience(app.db, models.ContactFilter{ChannelID: ch.ID}, nil, true, 1, app.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	aud := itoa(a.ID)
	form := func(uploadID string) url.Values {
		f := composerForm(aud, "新品上市", "新品上市")
		f.Add("m_type", "image")
		f.Add("m_text", "")
		f.Add("m_upload", uploadID)
		f.Add("m_thumb", "")
		f.Add("m_module", "")
		f.Set("op", "next")
		return f
	}
	for _, who := range []struct{ email, help string }{{"mei@example.com", "ask"}, {"admin@example.com", "admin"}} {
		b := app.browser()
		b.lang = "zh-TW"
		b.signIn(who.email)
		up := b.uploadAsPage("new.png", webTestPNG(t))
		wantAPIStatus(t, up, http.StatusCreated, "")
		id := itoa(uint(up.body["id"].(float64)))
		b.get("/broadcasts/new?audience=" + aud)
		p := b.post("/broadcasts", form(id))
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if e := p.text(`[data-field-error="messages[1].upload_id"]`); !strings.Contains(e, "https") || !strings.Contains(e, "http://omnicast.example.com") {
			t.Fatalf("%s: beside the image %q", who.email, e)
		}
		if v, _ := p.doc.Find(`[data-testid="message"][data-index="1"] input[name="m_upload"]`).Attr("value"); v != id {
			t.Fatalf("%s: the refused form lost the upload (%q)", who.email, v)
		}
		link := p.doc.Find(`[data-testid="https-settings-link"]`)
		switch who.help {
		case "admin":
			if href, _ := link.Attr("href"); href != "/settings" {
				t.Errorf("the admin gets no link to Settings: %q", p.text(`[data-testid="https-help"]`))
			}
		default:
			if link.Length() != 0 || !strings.Contains(p.text(`[data-testid="https-help"]`), "管理員") {
				t.Errorf("the marketer is not told to ask an admin: %q", p.text(`[data-testid="https-help"]`))
			}
		}
	}

	// https: accepted.
	app.setPublicURL("https://omnicast.example.com")
	b := app.browser()
	b.signIn("mei@example.com")
	up := b.uploadAsPage("new.png", webTestPNG(t))
	b.get("/broadcasts/new?audience=" + aud)
	p := b.post("/broadcasts", form(itoa(uint(up.body["id"].(float64)))))
	wantStatus(t, p, http.StatusSeeOther)
	if !strings.HasSuffix(p.location(), "/confirm") {
		t.Fatalf("with an https public URL next went to %q", p.location())
	}
}
