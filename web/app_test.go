package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/jobs"
	"omnicast/models"
)

// testClock is a settable clock for throttling tests.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Set moves the clock to t (background workers read it concurrently).
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type testApp struct {
	t     *testing.T
	db    *gorm.DB
	srv   *Server
	http  *httptest.Server
	clock *testClock
	jobs  *jobs.Runner
}

const testPassword = "correct horse battery"

// testJobsConfig, when a test sets it (and resets it at cleanup), changes
// the background work's configuration of the next test apps.
var testJobsConfig func(*jobs.Config)

func newTestApp(t *testing.T, db *gorm.DB) *testApp {
	t.Helper()
	return newTestAppWith(t, db, nil)
}

// newTestAppWith lets a test change the server's configuration first.
func newTestAppWith(t *testing.T, db *gorm.DB, configure func(*Config)) *testApp {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Background work as serve runs it; stopped after the HTTP server.
	// The runner opens the channels' credentials with the server's key,
	// as serve's does (both from OMNICAST_SECRET_KEY).
	secret := []byte(strings.Repeat("k", 32))
	sealer, err := models.NewSealer(secret)
	if err != nil {
		t.Fatal(err)
	}
	jcfg := jobs.Config{DB: db, Logger: log, Now: clock.Now, Poll: 250 * time.Millisecond, Sealer: sealer}
	if testJobsConfig != nil {
		testJobsConfig(&jcfg)
	}
	runner, err := jobs.New(jcfg)
	if err != nil {
		t.Fatalf("new runner: %v", err)
	}
	if err := runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := runner.Stop(context.Background()); err != nil {
			t.Errorf("stop background work: %v", err)
		}
	})
	cfg := Config{
		DB: db, SecretKey: secret, Logger: log, Now: clock.Now, Jobs: runner,
		MediaDir: t.TempDir(),
	}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testApp{t: t, db: db, srv: srv, http: hs, clock: clock, jobs: runner}
}

// addUser creates a user directly in the database.
func (a *testApp) addUser(email, role string) *models.User {
	a.t.Helper()
	u, err := models.CreateUser(a.db, models.NewUserInput{Email: email, Name: strings.Split(email, "@")[0], Role: role, Password: testPassword})
	if err != nil {
		a.t.Fatalf("add user: %v", err)
	}
	return u
}

// browser is one visitor with a cookie jar; it does not follow redirects so
// tests can assert them.
type browser struct {
	t        *testing.T
	app      *testApp
	c        *http.Client
	lang     string
	lastCSRF string
	// header is added to every request (e.g. X-Forwarded-For).
	header http.Header
}

func (a *testApp) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: a.t, app: a, lang: "en", c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type page struct {
	status int
	header http.Header
	body   string
	doc    *goquery.Document
}

func (p page) location() string { return p.header.Get("Location") }
func (p page) text(sel string) string {
	return strings.TrimSpace(p.doc.Find(sel).First().Text())
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(raw)))
	if err != nil {
		b.t.Fatalf("parse %s: %v", req.URL, err)
	}
	if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
		b.lastCSRF = tok
	}
	return page{status: res.StatusCode, header: res.Header, body: string(raw), doc: doc}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.app.http.URL+path, nil)
	return b.do(req)
}

// post sends a form with the CSRF token of the last page seen (fetching
// /login first when none was seen yet).
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if b.lastCSRF == "" {
		b.get("/login")
	}
	form.Set("_csrf", b.lastCSRF)
	return b.postRaw(path, form)
}

// postRaw sends a form as is.
func (b *browser) postRaw(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.app.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) signIn(email string) {
	b.t.Helper()
	b.get("/login")
	p := b.post("/login", url.Values{"email": {email}, "password": {testPassword}})
	if p.status != http.StatusSeeOther || p.location() != "/contacts" {
		b.t.Fatalf("sign in as %s: status %d location %q: %s", email, p.status, p.location(), p.text(".flash"))
	}
}

func wantStatus(t *testing.T, p page, want int) {
	t.Helper()
	if p.status != want {
		t.Fatalf("status = %d, want %d; body: %.400s", p.status, want, p.body)
	}
}
