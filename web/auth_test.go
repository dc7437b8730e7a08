package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestFirstRunSetupHappensOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		b := app.browser()

		for _, path := range []string{"/", "/login", "/contacts", "/users", "/nowhere"} {
			if p := b.get(path); p.status != http.StatusSeeOther || p.location() != "/setup" {
				t.Fatalf("GET %s before set-up: %d %q, want 303 to /setup", path, p.status, p.location())
			}
		}
		wantStatus(t, b.get("/setup"), http.StatusOK)
		p := b.post("/setup", url.Values{"name": {"Mei"}, "email": {"Mei@Example.com"}, "password": {testPassword}})
		if p.status != http.StatusSeeOther || p.location() != "/contacts" {
			t.Fatalf("setup: %d %q, want 303 to /contacts", p.status, p.location())
		}
		u, err := models.FindUserByEmail(db, "mei@example.com")
		if err != nil || u.Role != models.RoleAdmin {
			t.Fatalf("first user = %+v, %v; want an admin", u, err)
		}

		// The new admin is signed in, not sent to sign in.
		contacts := b.get("/contacts")
		wantStatus(t, contacts, http.StatusOK)
		if !strings.Contains(contacts.text(`[data-testid="flash"] span`), "you are signed in") {
			t.Fatalf("no set-up flash on the contacts page: %q", contacts.text(".flashes"))
		}

		wantStatus(t, b.get("/setup"), http.StatusNotFound)
		other := app.browser()
		wantStatus(t, other.post("/setup", url.Values{"name": {"Eve"}, "email": {"eve@example.com"}, "password": {testPassword}}), http.StatusNotFound)
		if n, _ := models.CountUsers(db); n != 1 {
			t.Fatalf("users after second set-up = %d, want 1", n)
		}
	})
}

func TestSetupKeepsInputOnError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		b := newTestApp(t, db).browser()
		b.get("/setup")
		p := b.post("/setup", url.Values{"name": {"陳小美"}, "email": {"mei@example.com"}, "password": {"short"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if v, _ := p.doc.Find("#name").Attr("value"); v != "陳小美" {
			t.Errorf("name not kept: %q", v)
		}
		if v, _ := p.doc.Find("#email").Attr("value"); v != "mei@example.com" {
			t.Errorf("email not kept: %q", v)
		}
		if got := p.text(`[data-testid="error-password"]`); !strings.Contains(got, "10 characters") {
			t.Errorf("password error = %q", got)
		}
	})
}

func TestSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()

		wantStatus(t, b.get("/contacts"), http.StatusSeeOther)
		b.get("/login")
		bad := b.post("/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong password!"}})
		wantStatus(t, bad, http.StatusUnauthorized)
		if !strings.Contains(bad.text(`[data-testid="login-error"]`), "incorrect") {
			t.Fatalf("failure message = %q", bad.text(`[data-testid="login-error"]`))
		}
		if v, _ := bad.doc.Find("#email").Attr("value"); v != "admin@example.com" {
			t.Errorf("email not kept after failure: %q", v)
		}
		unknown := b.post("/login", url.Values{"email": {"nobody@example.com"}, "password": {testPassword}})
		wantStatus(t, unknown, http.StatusUnauthorized)

		b.signIn("ADMIN@example.com")
		p := b.get("/contacts")
		wantStatus(t, p, http.StatusOK)
		if p.text(`[data-testid="page-title"]`) != "Contacts" {
			t.Fatalf("contacts title = %q", p.text(`[data-testid="page-title"]`))
		}
		// A signed-in visit to /login goes on to the app.
		if p := b.get("/login"); p.status != http.StatusSeeOther {
			t.Fatalf("signed-in /login = %d", p.status)
		}
	})
}

func TestSignInThrottledAfterFiveFailures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.get("/login")
		for i := 0; i < models.LoginMaxFailures; i++ {
			p := b.post("/login", url.Values{"email": {"mei@example.com"}, "password": {"wrong password"}})
			wantStatus(t, p, http.StatusUnauthorized)
			app.clock.Advance(time.Minute)
		}
		// Even the right password is refused for the rest of the window.
		p := b.post("/login", url.Values{"email": {"mei@example.com"}, "password": {testPassword}})
		wantStatus(t, p, http.StatusTooManyRequests)
		if msg := p.text(`[data-testid="login-error"]`); !strings.Contains(msg, "Too many failed sign-ins") || !strings.Contains(msg, "10 minutes") {
			t.Fatalf("lock message = %q", msg)
		}
		// Another account from the same address is not affected.
		app.addUser("other@example.com", models.RoleMarketer)
		other := app.browser()
		other.signIn("other@example.com")

		app.clock.Advance(11 * time.Minute)
		b.signIn("mei@example.com")
	})
}

func TestSignOut(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.signIn("mei@example.com")
		b.get("/contacts")
		p := b.post("/logout", url.Values{})
		if p.status != http.StatusSeeOther || p.location() != "/login" {
			t.Fatalf("logout = %d %q", p.status, p.location())
		}
		if p := b.get("/contacts"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
			t.Fatalf("after sign-out /contacts = %d %q", p.status, p.location())
		}
		if msg := b.get("/login").text(`[data-testid="flash"] span`); msg != "You have signed out." {
			t.Fatalf("sign-out flash = %q", msg)
		}
	})
}

func TestDeactivatedUserIsSignedOutAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		mei := app.addUser("mei@example.com", models.RoleMarketer)
		marketer := app.browser()
		marketer.signIn("mei@example.com")
		wantStatus(t, marketer.get("/contacts"), http.StatusOK)

		admin := app.browser()
		admin.signIn("admin@example.com")
		admin.get("/users")
		p := admin.post("/users/"+itoa(mei.ID)+"/active", url.Values{"active": {"false"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("deactivate = %d", p.status)
		}
		if p := marketer.get("/contacts"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
			t.Fatalf("deactivated user's next request = %d %q, want redirect to sign-in", p.status, p.location())
		}
		// And they cannot sign in again.
		again := app.browser()
		again.get("/login")
		wantStatus(t, again.post("/login", url.Values{"email": {"mei@example.com"}, "password": {testPassword}}), http.StatusUnauthorized)
	})
}

func TestMarketerGetsFriendly403OnAdminPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.signIn("mei@example.com")
		for _, path := range []string{"/users", "/channels", "/settings"} {
			p := b.get(path)
			wantStatus(t, p, http.StatusForbidden)
			if p.doc.Find(`[data-testid="error-page"]`).Length() != 1 || !strings.Contains(p.body, "for administrators") {
				t.Fatalf("%s: no friendly 403 page: %.300s", path, p.body)
			}
		}
		wantStatus(t, b.post("/users", url.Values{"name": {"X"}, "email": {"x@example.com"}, "role": {"admin"}, "password": {testPassword}}), http.StatusForbidden)
		wantStatus(t, b.post("/settings", url.Values{"timezone": {"UTC"}}), http.StatusForbidden)
		// The marketer's navigation hides admin entries.
		nav := b.get("/contacts").doc.Find("nav a")
		var keys []string
		nav.Each(func(_ int, s *goquery.Selection) { k, _ := s.Attr("data-nav"); keys = append(keys, k) })
		if strings.Join(keys, ",") != "contacts,broadcasts,bots" {
			t.Fatalf("marketer nav = %v", keys)
		}
	})
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()
		b.get("/login")
		p := b.postRaw("/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}})
		wantStatus(t, p, http.StatusForbidden)
		if !strings.Contains(p.body, "This form has expired") {
			t.Fatalf("CSRF page: %.300s", p.body)
		}
		wantStatus(t, b.postRaw("/login", url.Values{"_csrf": {"forged"}, "email": {"admin@example.com"}, "password": {testPassword}}), http.StatusForbidden)

		b.signIn("admin@example.com")
		wantStatus(t, b.postRaw("/settings", url.Values{"timezone": {"UTC"}}), http.StatusForbidden)
		wantStatus(t, b.postRaw("/logout", url.Values{}), http.StatusForbidden)

		// The header htmx sends is accepted in place of the form field.
		b.get("/settings")
		req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/settings", strings.NewReader(url.Values{"timezone": {"Asia/Hong_Kong"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", b.lastCSRF)
		req.Header.Set("HX-Request", "true")
		p = b.do(req)
		if p.status != http.StatusOK || p.header.Get("HX-Redirect") != "/settings" {
			t.Fatalf("htmx POST with header = %d %q", p.status, p.header.Get("HX-Redirect"))
		}
	})
}

func TestSessionCookieFlags(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		check := func(wantSecure bool) {
			t.Helper()
			b := app.browser()
			b.get("/login")
			p := b.post("/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}})
			var found bool
			for _, raw := range p.header.Values("Set-Cookie") {
				ck, err := http.ParseSetCookie(raw)
				if err != nil || (ck.Name != sessionCookie && ck.Name != csrfCookie) {
					continue
				}
				found = found || ck.Name == sessionCookie
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != wantSecure {
					t.Errorf("cookie %s: HttpOnly=%v SameSite=%v Secure=%v (want Secure=%v): %s", ck.Name, ck.HttpOnly, ck.SameSite, ck.Secure, wantSecure, raw)
				}
			}
			if !found {
				t.Fatalf("no session cookie set on sign-in")
			}
		}
		check(false)
		if err := models.SaveWorkspace(db, models.Workspace{Timezone: "Asia/Taipei", PublicURL: "https://omnicast.example.com"}); err != nil {
			t.Fatal(err)
		}
		if err := app.srv.reloadWorkspace(); err != nil {
			t.Fatal(err)
		}
		check(true)
	})
}

func TestSafeNext(t *testing.T) {
	cases := map[string]string{"": "/x", "/users": "/users", "//evil.example": "/x", "https://evil.example": "/x", "/\\evil": "/x"}
	for in, want := range cases {
		if got := safeNext(in, "/x"); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
