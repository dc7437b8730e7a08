package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// copyCookies gives other the cookies b holds: a stolen or copied session.
func (b *browser) copyCookiesTo(other *browser) {
	u, _ := url.Parse(b.app.http.URL)
	other.c.Jar.SetCookies(u, b.c.Jar.Cookies(u))
}

func wantSignedOut(t *testing.T, b *browser, what string) {
	t.Helper()
	if p := b.get("/contacts"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Fatalf("after %s a copy of the session cookie still works: GET /contacts = %d %q", what, p.status, p.location())
	}
}

// TestCopiedSessionCookieStopsWorking: sign-out, a password change (the
// command line's user passwd), a role change and deactivation each end
// every session of that user at once — a copied cookie too.
func TestCopiedSessionCookieStopsWorking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		mei := app.addUser("mei@example.com", models.RoleMarketer)
		admin := app.browser()
		admin.signIn("admin@example.com")

		triggers := []struct {
			name string
			do   func(mine *browser)
		}{
			{"sign-out", func(mine *browser) { mine.post("/logout", url.Values{}) }},
			{"a password change", func(*browser) {
				if err := models.SetUserPassword(db, "mei@example.com", testPassword+"!"); err != nil {
					t.Fatal(err)
				}
				if err := models.SetUserPassword(db, "mei@example.com", testPassword); err != nil {
					t.Fatal(err)
				}
			}},
			{"a role change", func(*browser) {
				admin.get("/users")
				wantStatus(t, admin.post("/users/"+itoa(mei.ID)+"/role", url.Values{"role": {models.RoleAdmin}}), http.StatusSeeOther)
				admin.get("/users")
				wantStatus(t, admin.post("/users/"+itoa(mei.ID)+"/role", url.Values{"role": {models.RoleMarketer}}), http.StatusSeeOther)
			}},
			{"deactivation", func(*browser) {
				admin.get("/users")
				wantStatus(t, admin.post("/users/"+itoa(mei.ID)+"/active", url.Values{"active": {"false"}}), http.StatusSeeOther)
			}},
		}
		for _, tr := range triggers {
			mine := app.browser()
			mine.signIn("mei@example.com")
			thief := app.browser()
			mine.copyCookiesTo(thief)
			wantStatus(t, thief.get("/contacts"), http.StatusOK)
			tr.do(mine)
			wantSignedOut(t, thief, tr.name)
			wantSignedOut(t, mine, tr.name)
		}
		// The admin's own session was never touched.
		wantStatus(t, admin.get("/contacts"), http.StatusOK)
	})
}

func TestSafeNextRejectsBypassVectors(t *testing.T) {
	bad := []string{
		"",
		"//evil.example",
		"///evil.example",
		"/\\evil.example",
		"\\/evil.example",
		"\\\\evil.example",
		"/\t/evil.example",
		"/\n/evil.example",
		"/\r\n/evil.example",
		"/ /evil.example",
		"/%09/evil.example",
		"/%0a/evil.example",
		"/%0d%0a/evil.example",
		"/%2f%2fevil.example",
		"/%2F/evil.example",
		"/%5cevil.example",
		"/%5C%5Cevil.example",
		"/%252f%252fevil.example" + "%", // broken escape
		"https://evil.example",
		"https:evil.example",
		"http:/evil.example",
		"//user@evil.example",
		"@evil.example",
		"evil.example",
		"javascript:alert(1)",
		"/\u2215evil.example",
		"/\uff0f/evil.example",
		"/%EF%BC%8F%EF%BC%8Fevil.example",
		"/%E2%88%95evil.example",
		"/\x00/evil.example",
		"/%00/evil.example",
		"/\x7f/evil.example",
		"/contacts\\..\\..\\evil",
		" /contacts",
		"/contacts ",
		"/\u00a0/evil.example",
	}
	for _, next := range bad {
		if got := safeNext(next, "/fallback"); got != "/fallback" {
			t.Errorf("safeNext(%q) = %q, want the fallback", next, got)
		}
	}
	good := []string{
		"/",
		"/contacts",
		"/contacts?channel=2&tags_any=vip%2Chk",
		"/contacts?q=%E9%99%B3+%E5%B0%8F%E7%BE%8E",
		"/contacts?q=a%20b#results",
		"/contacts?back=%2F%2Fnot-a-host-in-a-query",
		"/users/12/edit",
	}
	for _, next := range good {
		if got := safeNext(next, "/fallback"); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}
}

// TestRedirectsStayOnSite: the language switch and the sign-in form never
// send the browser off-site, and still follow a local next.
func TestRedirectsStayOnSite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		for _, raw := range []string{"/%09/evil.example", "%2F%09%2Fevil.example", "/%5Cevil.example", "//evil.example", "https:%2F%2Fevil.example"} {
			p := b.get("/lang/en?next=" + raw)
			if p.status != http.StatusSeeOther || p.location() != "/" {
				t.Errorf("/lang/en?next=%s = %d %q, want 303 to /", raw, p.status, p.location())
			}
		}
		if p := b.get("/lang/en?next=%2Fcontacts%3Fq%3Dx"); p.location() != "/contacts?q=x" {
			t.Errorf("a local next is not followed: %q", p.location())
		}

		// Signing in from /login?next=… keeps a local next and drops an off-site one.
		login := b.get("/login?next=%2F%09%2Fevil.example")
		if login.doc.Find(`input[name="next"]`).Length() != 0 {
			t.Fatalf("the sign-in form carries an off-site next")
		}
		p := b.postRaw("/login?next=%2F%09%2Fevil.example", url.Values{"_csrf": {b.lastCSRF}, "email": {"mei@example.com"}, "password": {testPassword}})
		if p.status != http.StatusSeeOther || p.location() != "/contacts" {
			t.Fatalf("sign-in with an off-site next = %d %q, want /contacts", p.status, p.location())
		}
		b.post("/logout", url.Values{})
		login = b.get("/login?next=%2Ftags")
		if v, _ := login.doc.Find(`input[name="next"]`).Attr("value"); v != "/tags" {
			t.Fatalf("the sign-in form does not carry next=/tags: %q", v)
		}
		p = b.post("/login", url.Values{"email": {"mei@example.com"}, "password": {testPassword}, "next": {"/tags"}})
		if p.location() != "/tags" {
			t.Fatalf("sign-in with next=/tags went to %q", p.location())
		}
	})
}

// loginClient posts sign-in forms in parallel (no t.Fatal off the test
// goroutine): it fetches a CSRF cookie and token once.
type loginClient struct {
	c     *http.Client
	url   string
	token string
}

func newLoginClient(t *testing.T, app *testApp) *loginClient {
	t.Helper()
	b := app.browser()
	b.get("/login")
	return &loginClient{c: b.c, url: app.http.URL, token: b.lastCSRF}
}

func (l *loginClient) post(email, password string, header http.Header) (int, string, error) {
	form := url.Values{"_csrf": {l.token}, "email": {email}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, l.url+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := l.c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), nil
}

// TestParallelWrongPasswordsAreNotAllChecked: the per-account throttle
// holds under 40 parallel wrong passwords (each one used to be checked).
func TestParallelWrongPasswordsAreNotAllChecked(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		l := newLoginClient(t, app)
		const parallel = 40
		codes := make([]int, parallel)
		errs := make([]error, parallel)
		var wg sync.WaitGroup
		for i := range parallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _, errs[i] = l.post("mei@example.com", "wrong password "+itoa(uint(i)), nil)
			}()
		}
		wg.Wait()
		count := map[int]int{}
		for i, code := range codes {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			count[code]++
		}
		if count[http.StatusUnauthorized] < 1 || count[http.StatusUnauthorized] > models.LoginMaxFailures {
			t.Fatalf("answers %v: %d wrong passwords were checked, want 1..%d", count, count[http.StatusUnauthorized], models.LoginMaxFailures)
		}
		if count[http.StatusTooManyRequests] != parallel-count[http.StatusUnauthorized] {
			t.Fatalf("answers %v: want only 401 and 429", count)
		}
		var n int64
		db.Model(&models.LoginFailure{}).Count(&n)
		if n != int64(count[http.StatusUnauthorized]) {
			t.Fatalf("%d failures recorded for %d checked passwords", n, count[http.StatusUnauthorized])
		}
	})
}

// TestSignInLimitPerAddress: one address trying account after account is
// stopped; X-Forwarded-For counts only from a configured proxy.
func TestSignInLimitPerAddress(t *testing.T) {
	db := dbtest.SQLite(t)
	if _, err := models.CreateUser(db, models.NewUserInput{Email: "mei@example.com", Name: "Mei", Role: models.RoleMarketer, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	for _, proxied := range []bool{false, true} {
		app := newTestAppWith(t, db, func(c *Config) {
			if proxied {
				c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
			}
		})
		// A limit that does not refill during the test, however slow the machine.
		const burst = 6
		app.srv.signInLimit = newAddressLimiter(burst, time.Hour)
		l := newLoginClient(t, app)
		spoof := func(i int) http.Header {
			return http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", 1+i%2)}}
		}
		var last string
		refusedAt := 0
		for i := 0; i < burst+4 && refusedAt == 0; i++ {
			code, body, err := l.post(fmt.Sprintf("user%d@example.com", i), "wrong password", spoof(i))
			if err != nil {
				t.Fatal(err)
			}
			switch code {
			case http.StatusTooManyRequests:
				refusedAt, last = i+1, body
			case http.StatusUnauthorized:
			default:
				t.Fatalf("attempt %d: %d", i+1, code)
			}
		}
		if proxied {
			// Two client addresses behind the proxy, each with its own budget.
			if refusedAt != 0 {
				t.Fatalf("behind a trusted proxy the %d-th attempt was refused, want none of %d", refusedAt, burst+4)
			}
			continue
		}
		if refusedAt != burst+1 {
			t.Fatalf("the %d-th attempt from one address was refused, want the %d-th (X-Forwarded-For must not split it)", refusedAt, burst+1)
		}
		if !strings.Contains(last, "Too many sign-in attempts from your network") {
			t.Fatalf("refusal page: %.300s", last)
		}
	}
}

// TestSignInBeyondHashingCapacityIs429: when every hashing slot is taken,
// a sign-in is answered 429 quickly, in the user's language, and does not
// count against the account.
func TestSignInBeyondHashingCapacityIs429(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		app.srv.hashes = newHashGate(1, 0)
		release, ok := app.srv.hashes.acquire(t.Context())
		if !ok {
			t.Fatal("no slot")
		}
		for _, lang := range []string{"en", "zh-TW"} {
			b := app.browser()
			b.lang = lang
			b.get("/login")
			p := b.post("/login", url.Values{"email": {"mei@example.com"}, "password": {testPassword}})
			wantStatus(t, p, http.StatusTooManyRequests)
			msg := p.text(`[data-testid="login-error"]`)
			if want := map[string]string{"en": "try again in a few seconds", "zh-TW": "請幾秒後再試"}[lang]; !strings.Contains(msg, want) {
				t.Fatalf("%s message %q lacks %q", lang, msg, want)
			}
			if v, _ := p.doc.Find("#email").Attr("value"); v != "mei@example.com" {
				t.Fatalf("email not kept: %q", v)
			}
		}
		var n int64
		db.Model(&models.LoginFailure{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d failures recorded for attempts never checked", n)
		}
		release()
		app.browser().signIn("mei@example.com")
	})
}

// remote sends the requests of b as if from another machine, through a
// trusted proxy on this one.
func remote(b *browser, ip string) *browser {
	b.header = http.Header{"X-Forwarded-For": {ip}}
	return b
}

// TestSetupFromAnotherMachineNeedsTheCode: the set-up code is logged, asked
// of remote visitors only, compared exactly, throttled, and gone after use.
func TestSetupFromAnotherMachineNeedsTheCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		var logged bytes.Buffer
		app := newTestAppWith(t, db, func(c *Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
			c.Logger = slog.New(slog.NewTextHandler(&logged, nil))
		})
		code, err := models.SetupCode(db)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logged.String(), "setup_code="+code) {
			t.Fatalf("the start-up log does not show the set-up code %s:\n%s", code, logged.String())
		}

		// The machine's own visitors are not asked for it.
		local := app.browser()
		if local.get("/setup").doc.Find(`input[name="setup_code"]`).Length() != 0 {
			t.Fatal("a loopback visitor is asked for the set-up code")
		}

		attacker := remote(app.browser(), "203.0.113.9")
		page := attacker.get("/setup")
		if page.doc.Find(`input[name="setup_code"]`).Length() != 1 {
			t.Fatal("a remote visitor is not asked for the set-up code")
		}
		form := url.Values{"name": {"Eve"}, "email": {"eve@example.com"}, "password": {testPassword}}
		for _, guess := range []string{"", "0000-0000-0000", code[:13], code + "0"} {
			form.Set("setup_code", guess)
			p := attacker.post("/setup", form)
			wantStatus(t, p, http.StatusUnprocessableEntity)
			if msg := p.text(`[data-testid="error-setup_code"]`); !strings.Contains(msg, "not correct") {
				t.Fatalf("wrong code %q: message %q", guess, msg)
			}
			if v, _ := p.doc.Find("#name").Attr("value"); v != "Eve" {
				t.Fatalf("name not kept: %q", v)
			}
		}
		// Wrong codes are throttled: even the right one is refused after too many.
		for i := 4; i < setupCodeBurst; i++ {
			form.Set("setup_code", "WRONG")
			attacker.post("/setup", form)
		}
		form.Set("setup_code", code)
		p := attacker.post("/setup", form)
		wantStatus(t, p, http.StatusTooManyRequests)
		if n, _ := models.CountUsers(db); n != 0 {
			t.Fatalf("%d users after refused set-ups", n)
		}

		// Someone else with the code from the log (typed loosely) gets through, signed in.
		owner := remote(app.browser(), "198.51.100.20")
		owner.get("/setup")
		p = owner.post("/setup", url.Values{"name": {"Mei"}, "email": {"mei@example.com"}, "password": {testPassword},
			"setup_code": {strings.ToLower(strings.ReplaceAll(code, "-", " "))}})
		if p.status != http.StatusSeeOther || p.location() != "/contacts" {
			t.Fatalf("set-up with the right code = %d %q: %.300s", p.status, p.location(), p.body)
		}
		wantStatus(t, owner.get("/contacts"), http.StatusOK)
		wantStatus(t, attacker.get("/setup"), http.StatusNotFound)
	})
}

// TestLoopbackIsNotTakenFromForwardedHeaders: a reverse proxy on the same
// host makes every visitor's TCP peer 127.0.0.1.
func TestLoopbackIsNotTakenFromForwardedHeaders(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	for _, h := range []string{"X-Forwarded-For", "X-Real-IP", "Forwarded"} {
		b := app.browser()
		b.header = http.Header{h: {"203.0.113.9"}}
		if b.get("/setup").doc.Find(`input[name="setup_code"]`).Length() != 1 {
			t.Errorf("a request forwarded with %s is taken for a local visitor", h)
		}
	}
}

func serveFrom(srv *Server, remoteAddr, path string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = remoteAddr
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec
}

func TestMetricsArePrivate(t *testing.T) {
	db := dbtest.SQLite(t)
	open := newTestApp(t, db).srv
	if rec := serveFrom(open, "127.0.0.1:4000", "/metrics", nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Fatalf("loopback scrape = %d", rec.Code)
	}
	if rec := serveFrom(open, "[::1]:4000", "/metrics", nil); rec.Code != http.StatusOK {
		t.Fatalf("IPv6 loopback scrape = %d", rec.Code)
	}
	for _, h := range []http.Header{nil, {"Authorization": {"Bearer anything"}}} {
		if rec := serveFrom(open, "203.0.113.9:4000", "/metrics", h); rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Fatalf("remote scrape without a configured token = %d", rec.Code)
		}
	}
	if rec := serveFrom(open, "127.0.0.1:4000", "/metrics", http.Header{"X-Forwarded-For": {"203.0.113.9"}}); rec.Code != http.StatusForbidden {
		t.Fatalf("scrape through a local proxy = %d, want 403", rec.Code)
	}

	const token = "s3cret-metrics-token"
	tokened := newTestAppWith(t, db, func(c *Config) { c.MetricsToken = token }).srv
	for _, auth := range []string{"", "Bearer wrong", "Basic " + token, token, "Bearer " + token + "x"} {
		rec := serveFrom(tokened, "203.0.113.9:4000", "/metrics", http.Header{"Authorization": {auth}})
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
			t.Fatalf("Authorization %q = %d", auth, rec.Code)
		}
	}
	if rec := serveFrom(tokened, "203.0.113.9:4000", "/metrics", http.Header{"Authorization": {"Bearer " + token}}); rec.Code != http.StatusOK {
		t.Fatalf("scrape with the token = %d", rec.Code)
	}
	if rec := serveFrom(tokened, "127.0.0.1:4000", "/metrics", nil); rec.Code != http.StatusOK {
		t.Fatalf("loopback scrape with a token configured = %d", rec.Code)
	}
}

func TestHSTSWhenThePublicURLIsHTTPS(t *testing.T) {
	db := dbtest.SQLite(t)
	app := newTestApp(t, db)
	if h := app.browser().get("/setup").header.Get("Strict-Transport-Security"); h != "" {
		t.Fatalf("HSTS without an https public URL: %q", h)
	}
	if err := models.SaveWorkspace(db, models.Workspace{Timezone: "Asia/Taipei", PublicURL: "https://omnicast.example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := app.srv.reloadWorkspace(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/setup", "/healthz", "/nowhere"} {
		if h := app.browser().get(path).header.Get("Strict-Transport-Security"); !strings.HasPrefix(h, "max-age=") {
			t.Fatalf("%s: Strict-Transport-Security = %q", path, h)
		}
	}
}

// TestCSRFTokenNeverFromTheQueryString: a token in the URL is refused, in
// the body or the header it is accepted.
func TestCSRFTokenNeverFromTheQueryString(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()
		b.signIn("admin@example.com")
		b.get("/settings")
		p := b.postRaw("/settings?_csrf="+url.QueryEscape(b.lastCSRF), url.Values{"timezone": {"Asia/Hong_Kong"}})
		wantStatus(t, p, http.StatusForbidden)
		if !strings.Contains(p.body, "This form has expired") {
			t.Fatalf("CSRF page: %.300s", p.body)
		}
		// A multipart body carries it too.
		var body bytes.Buffer
		body.WriteString("--XX\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + b.lastCSRF + "\r\n--XX\r\nContent-Disposition: form-data; name=\"timezone\"\r\n\r\nAsia/Hong_Kong\r\n--XX--\r\n")
		req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/settings", &body)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=XX")
		if p := b.do(req); p.status != http.StatusSeeOther {
			t.Fatalf("multipart form with the token = %d", p.status)
		}
		if p := b.post("/settings", url.Values{"timezone": {"Asia/Taipei"}}); p.status != http.StatusSeeOther {
			t.Fatalf("urlencoded form with the token = %d", p.status)
		}
	})
}

func TestUnknownPostPathIs404(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("admin@example.com", models.RoleAdmin)
	anonymous := app.browser()
	signedIn := app.browser()
	signedIn.signIn("admin@example.com")
	for _, b := range []*browser{anonymous, signedIn} {
		for _, path := range []string{"/nowhere", "/contacts/12/nothing", "/api/v0/x"} {
			p := b.postRaw(path, url.Values{"a": {"b"}})
			wantStatus(t, p, http.StatusNotFound)
			if strings.HasPrefix(path, "/api/") {
				// The JSON API answers JSON, whoever asks.
				if !strings.Contains(p.body, `"code":"not_found"`) {
					t.Fatalf("POST %s: %.300s", path, p.body)
				}
				continue
			}
			if !strings.Contains(p.body, "Page not found") {
				t.Fatalf("POST %s: %.300s", path, p.body)
			}
		}
	}
	// Known routes are still protected.
	wantStatus(t, signedIn.postRaw("/settings", url.Values{"timezone": {"UTC"}}), http.StatusForbidden)
}

// TestNULBytesInFormsNeverGive500: NUL bytes (PostgreSQL refuses them in
// text) are removed from every form field before any handler sees them.
func TestNULBytesInFormsNeverGive500(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		first := app.browser()
		first.get("/setup")
		p := first.post("/setup", url.Values{"name": {"Mei\x00 Chen"}, "email": {"mei@exa\x00mple.com"}, "password": {testPassword}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("set-up with NUL bytes = %d: %.300s", p.status, p.body)
		}
		u, err := models.FindUserByEmail(db, "mei@example.com")
		if err != nil || u.Name != "Mei Chen" {
			t.Fatalf("user = %+v, %v", u, err)
		}

		b := app.browser()
		b.get("/login")
		for _, email := range []string{"a\x00@x", "\x00", "mei@example.com\x00"} {
			p := b.post("/login", url.Values{"email": {email}, "password": {"wrong\x00password"}})
			wantStatus(t, p, http.StatusUnauthorized)
		}
		// Invalid UTF-8 is repaired the same way.
		wantStatus(t, b.post("/login", url.Values{"email": {"\xff\xfe@x"}, "password": {"x"}}), http.StatusUnauthorized)

		first.get("/users")
		p = first.post("/users", url.Values{"name": {"Wang\x00"}, "email": {"wang@example.com"}, "role": {"marketer"}, "password": {testPassword + "\x00"}})
		wantStatus(t, p, http.StatusSeeOther)
		w, err := models.FindUserByEmail(db, "wang@example.com")
		if err != nil || w.Name != "Wang" {
			t.Fatalf("user = %+v, %v", w, err)
		}
	})
}

// hiddenLength hides a body's length, so the client sends it chunked.
type hiddenLength struct{ io.Reader }

func TestOverLimitChunkedBodyIs413(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()
		b.get("/login")
		big := "_csrf=" + b.lastCSRF + "&email=a%40b.co&password=" + strings.Repeat("x", 3<<20)
		for _, body := range []io.Reader{hiddenLength{strings.NewReader(big)}, strings.NewReader(big)} {
			req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/login", body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			p := b.do(req)
			wantStatus(t, p, http.StatusRequestEntityTooLarge)
			if !strings.Contains(p.body, "too large") {
				t.Fatalf("413 page: %.300s", p.body)
			}
		}
		b.signIn("admin@example.com")
		var mp bytes.Buffer
		mp.WriteString("--XX\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + b.lastCSRF + "\r\n--XX\r\nContent-Disposition: form-data; name=\"timezone\"\r\n\r\n" + strings.Repeat("x", 3<<20) + "\r\n--XX--\r\n")
		req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/settings", hiddenLength{&mp})
		req.Header.Set("Content-Type", "multipart/form-data; boundary=XX")
		wantStatus(t, b.do(req), http.StatusRequestEntityTooLarge)
	})
}

func gunzip(t *testing.T, raw []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func fetch(t *testing.T, rawURL, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	req.Header.Set("Accept-Encoding", acceptEncoding)
	// A transport that does not decompress for us.
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

func TestResponsesAreCompressed(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	page := app.browser().get("/setup")
	css, _ := page.doc.Find(`link[rel="stylesheet"]`).Attr("href")
	js, _ := page.doc.Find(`script[src*="htmx"]`).Attr("src")

	for _, path := range []string{"/setup", css, js} {
		res, body := fetch(t, app.http.URL+path, "gzip, deflate, br")
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s: Content-Encoding %q, Vary %q", path, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
		plainRes, plain := fetch(t, app.http.URL+path, "")
		if plainRes.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s compressed for a client that did not ask", path)
		}
		if got := gunzip(t, body); got != string(plain) && !strings.Contains(path, "setup") {
			t.Fatalf("%s: decompressed body differs from the plain one", path)
		}
		if len(body) >= len(plain) {
			t.Fatalf("%s: %d compressed bytes for %d plain", path, len(body), len(plain))
		}
	}
	// The precompressed file has its own validator.
	res, _ := fetch(t, app.http.URL+css, "gzip")
	etag := res.Header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, app.http.URL+css, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("If-None-Match", etag)
	if res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req); err != nil || res.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional request for the gzip asset: %v %v", res, err)
	}
	if res, _ := fetch(t, app.http.URL+css, "gzip;q=0, identity"); res.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip sent to a client that refused it")
	}

	// Tiny bodies stay as they are; /metrics is compressed once, by Prometheus.
	if res, body := fetch(t, app.http.URL+"/healthz", "gzip"); res.Header.Get("Content-Encoding") != "" || string(body) != "ok" {
		t.Fatalf("/healthz: %q %q", res.Header.Get("Content-Encoding"), body)
	}
	res, body := fetch(t, app.http.URL+"/metrics", "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(gunzip(t, body), "go_goroutines") {
		t.Fatalf("/metrics is not gzip-compressed exactly once")
	}
	for ct, want := range map[string]bool{
		"text/html; charset=UTF-8": true, "text/csv": true, "application/json": true, "image/svg+xml": true,
		"image/png": false, "image/jpeg": false, "image/webp": false, "image/gif": false, "application/zip": false, "video/mp4": false,
	} {
		if compressible(ct) != want {
			t.Errorf("compressible(%q) = %v, want %v", ct, !want, want)
		}
	}
}

// TestPasswordPolicyMessages: the users form refuses a common password and
// the email as password, in both languages, keeping what was typed.
func TestPasswordPolicyMessages(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("admin@example.com", models.RoleAdmin)
	for _, c := range []struct{ lang, password, want string }{
		{"en", "1234567890", "most used"},
		{"zh-TW", "1234567890", "最常被使用"},
		{"en", "Wang@Example.com", "cannot be the email address"},
		{"zh-TW", "          ", "只有空白不算密碼"},
	} {
		b := app.browser()
		b.lang = c.lang
		b.signIn("admin@example.com")
		b.get("/users")
		p := b.post("/users", url.Values{"name": {"Wang"}, "email": {"wang@example.com"}, "role": {"marketer"}, "password": {c.password}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if msg := p.text(`[data-testid="error-password"]`); !strings.Contains(msg, c.want) {
			t.Errorf("%s, password %q: message %q lacks %q", c.lang, c.password, msg, c.want)
		}
		if v, _ := p.doc.Find("#email").Attr("value"); v != "wang@example.com" {
			t.Errorf("email not kept: %q", v)
		}
	}
}
