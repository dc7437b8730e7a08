package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestLanguageNegotiation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		cases := []struct{ accept, wantTitle, wantLang string }{
			{"zh-TW,zh;q=0.9,en;q=0.8", "登入", "zh-TW"},
			{"zh-HK", "登入", "zh-TW"},
			{"", "登入", "zh-TW"},
			{"en-US,en;q=0.9", "Sign in", "en"},
		}
		for _, c := range cases {
			b := app.browser()
			b.lang = c.accept
			p := b.get("/login")
			if got := p.text("h1"); got != c.wantTitle {
				t.Errorf("Accept-Language %q: h1 = %q, want %q", c.accept, got, c.wantTitle)
			}
			if l, _ := p.doc.Find("html").Attr("lang"); l != c.wantLang {
				t.Errorf("Accept-Language %q: lang = %q", c.accept, l)
			}
		}

		// The saved choice wins over Accept-Language.
		b := app.browser()
		b.lang = "en"
		b.signIn("mei@example.com")
		b.get("/contacts")
		p := b.post("/account/locale", url.Values{"locale": {"zh-TW"}, "next": {"/contacts"}})
		wantStatus(t, p, http.StatusSeeOther)
		p = b.get("/contacts")
		if got := p.text(`[data-testid="page-title"]`); got != "聯絡人" {
			t.Fatalf("after choosing zh-TW, title = %q", got)
		}
		if !strings.Contains(p.text("nav"), "推播訊息") {
			t.Fatalf("nav not in Traditional Chinese: %q", p.text("nav"))
		}

		// A signed-out visitor's choice is kept in a cookie.
		anon := app.browser()
		anon.lang = "zh-TW"
		wantStatus(t, anon.get("/lang/en?next=/login"), http.StatusSeeOther)
		if got := anon.get("/login").text("h1"); got != "Sign in" {
			t.Fatalf("language cookie ignored: %q", got)
		}
	})
}
