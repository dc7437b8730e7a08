package web

// The report's speed on PostgreSQL, through the real handlers (httptest,
// signed in): run with
//
//	OMNICAST_TEST_DATABASE_URL=… go test ./web -run '^$' -bench BenchmarkReport -benchtime 1x
//
// It prints FIGURE lines (p50, p95 and slowest of the runs, the first,
// cold one included): the list of 10,000 broadcasts (GET /broadcasts, with each
// filter), and one 1,000,000-recipient broadcast's page (GET
// /broadcasts/:id) right after the freeze (every delivery pending, no
// ANALYZE), then after sending (sent over 100 minutes, 40 % read: the
// timeline's first, uncached view and the cached ones). Data is made with
// generate_series. OMNICAST_BENCH_RECIPIENTS changes the million.

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

var benchReportNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// benchStart makes the benchmark server's clock move from benchReportNow.
var benchStart = time.Now()

func reportFigure(name, format string, args ...any) {
	fmt.Printf("FIGURE postgres %-22s %s\n", name, fmt.Sprintf(format, args...))
}

// benchServer serves db through the real handlers with an admin signed in.
func benchServer(b *testing.B, db *gorm.DB) (*http.Client, string, *models.User) {
	b.Helper()
	srv, err := New(Config{DB: db, SecretKey: []byte(strings.Repeat("k", 32)), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return benchReportNow.Add(time.Since(benchStart)) }, MediaDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(hs.Close)
	u, err := models.CreateUser(db, models.NewUserInput{Email: "admin@example.com", Name: "admin", Role: models.RoleAdmin, Password: testPassword})
	if err != nil {
		b.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(hs.URL + "/login")
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindSubmatch(raw)
	if m == nil {
		b.Fatal("no CSRF token on /login")
	}
	res, err = c.PostForm(hs.URL+"/login", url.Values{"_csrf": {string(m[1])}, "email": {u.Email}, "password": {testPassword}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	return c, hs.URL, u
}

// benchGet times GET path runs times, the first (cold) one included:
// a user's first visit has no warm-up; sorted.
func benchGet(b *testing.B, c *http.Client, base, path string, runs int) []time.Duration {
	b.Helper()
	get := func() time.Duration {
		t := time.Now()
		res, err := c.Get(base + path)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return time.Since(t)
	}
	out := make([]time.Duration, runs)
	for i := range out {
		out[i] = get()
	}
	slices.Sort(out)
	return out
}

func pct(d []time.Duration, p float64) float64 {
	i := int(float64(len(d))*p+0.5) - 1
	return float64(d[max(min(i, len(d)-1), 0)].Microseconds()) / 1000
}

func benchExec(b *testing.B, db *gorm.DB, q string, args ...any) {
	b.Helper()
	if err := db.Exec(q, args...).Error; err != nil {
		b.Fatalf("%s: %v", q[:min(len(q), 60)], err)
	}
}

func BenchmarkReportList(b *testing.B) {
	db := dbtest.Postgres(b)
	c, base, u := benchServer(b, db)
	for i, kind := range []string{"line", "messenger", "whatsapp"} {
		benchExec(b, db, "INSERT INTO channels (id, kind, name, external_id, credentials, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			i+1, kind, "bench "+kind, "ext-"+kind, []byte{}, benchReportNow, benchReportNow)
	}
	start := time.Now()
	// 10,000 broadcasts over 200 days, every status, three channels, two creators.
	benchExec(b, db, `INSERT INTO broadcasts (channel_id, subject, status, method, content, created_by, updated_by, scheduled_at, started_at,
		finished_at, audience_count, sent_count, delivered_count, read_count, failed_count, skipped_count, version, created_at, updated_at)
		SELECT 1 + g % 3, 'bench ' || g,
		  (ARRAY['draft','scheduled','sending','paused','done','cancelled','missed'])[1 + g % 7],
		  CASE WHEN g % 4 = 0 THEN 'api' ELSE 'manual' END, '{"messages":[{"type":"text","text":"hi"}]}',
		  CASE WHEN g % 2 = 0 THEN ?::bigint ELSE ?::bigint END, ?::bigint,
		  ?::timestamptz - g * interval '28 minutes', ?::timestamptz - g * interval '28 minutes',
		  ?::timestamptz - g * interval '28 minutes' + interval '5 minutes',
		  1000 + g, 900 + g % 100, 800, 400, 10, 5, 1,
		  ?::timestamptz - g * interval '28 minutes', ?::timestamptz
		FROM generate_series(1, 10000) g`, u.ID, u.ID+1, u.ID, benchReportNow, benchReportNow, benchReportNow, benchReportNow, benchReportNow)
	reportFigure("list generation", "10000 broadcasts in %.1f s (not measured)", time.Since(start).Seconds())
	day := func(d int) string { return benchReportNow.AddDate(0, 0, -d).Format("2006-01-02") }
	for range b.N {
		for _, q := range []string{"", "status=done", "status=scheduled", "channel=2", "kind=whatsapp", "creator=" + strconv.Itoa(int(u.ID)),
			"from=" + day(100) + "&to=" + day(90), "status=done&channel=1&from=" + day(150) + "&to=" + day(10)} {
			took := benchGet(b, c, base, "/broadcasts?"+q, 40)
			reportFigure("list", "GET /broadcasts?%-44s p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms", q, pct(took, .5), pct(took, .95), pct(took, 1))
		}
	}
}

func BenchmarkReportBroadcastPage(b *testing.B) {
	n := 1000000
	if s := os.Getenv("OMNICAST_BENCH_RECIPIENTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			b.Fatalf("OMNICAST_BENCH_RECIPIENTS=%q", s)
		}
		n = v
	}
	db := dbtest.Postgres(b)
	c, base, u := benchServer(b, db)
	benchExec(b, db, "INSERT INTO channels (id, kind, name, external_id, credentials, created_at, updated_at) VALUES (1, 'messenger', 'bench', 'ext', ?, ?, ?)",
		[]byte{}, benchReportNow, benchReportNow)
	at := benchReportNow.Add(-2 * time.Hour)
	bc := &models.Broadcast{ChannelID: 1, Subject: "百萬", Status: models.BroadcastScheduled, Method: models.MethodManual, CreatedBy: u.ID, UpdatedBy: u.ID,
		Content: `{"messages":[{"type":"text","text":"hi"}]}`, ScheduledAt: &at, AudienceCount: int64(n), FrozenCount: int64(n), PendingCount: int64(n),
		AudienceFilter: "status=subscribed", AudienceTimezone: "Asia/Taipei", AudienceAll: true, Version: 2}
	if err := db.Create(bc).Error; err != nil {
		b.Fatal(err)
	}
	for _, a := range []string{"create", "confirm", "frozen"} {
		if err := models.Audit(db, models.Actor{UserID: u.ID}, models.AuditEntry{BroadcastID: &bc.ID, Action: a, Diff: `{"subject":{"old":"","new":"百萬"}}`}, at); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	benchExec(b, db, `INSERT INTO deliveries (broadcast_id, contact_id, state, updated_at) SELECT ?, g, 'pending', ? FROM generate_series(1, ?) g`,
		bc.ID, at, n)
	reportFigure("page generation", "%d deliveries in %.1f s (not measured; no ANALYZE)", n, time.Since(start).Seconds())
	path := "/broadcasts/" + strconv.FormatUint(uint64(bc.ID), 10)
	for range b.N {
		took := benchGet(b, c, base, path, 40)
		reportFigure("page after freeze", "GET /broadcasts/:id (%d pending)  p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms", n, pct(took, .5), pct(took, .95), pct(took, 1))

		// Sent over 100 minutes, 40 % read, 1 % failed, as the counters say.
		start = time.Now()
		benchExec(b, db, `UPDATE deliveries SET state = CASE WHEN contact_id % 100 = 0 THEN 'failed' ELSE 'sent' END,
			reason = CASE WHEN contact_id % 100 = 0 THEN 'outside_window' ELSE '' END,
			sent_at = CASE WHEN contact_id % 100 = 0 THEN NULL ELSE ?::timestamptz + (contact_id * 6000 / ?) * interval '1 second' END,
			read_at = CASE WHEN contact_id % 5 < 2 AND contact_id % 100 <> 0 THEN ?::timestamptz + (contact_id * 6000 / ?) * interval '1 second' + interval '3 minutes' END
			WHERE broadcast_id = ?`, at, n, at, n, bc.ID)
		fin := at.Add(100 * time.Minute)
		failed := int64(n / 100)
		benchExec(b, db, `UPDATE broadcasts SET status = 'done', started_at = ?, finished_at = ?, pending_count = 0, sent_count = ?, delivered_count = ?,
			read_count = ?, failed_count = ? WHERE id = ?`, at, fin, int64(n)-failed, int64(n)-failed, int64(n)*2/5-failed*0, failed, bc.ID)
		reportFigure("page generation", "sent, read and failed written in %.1f s (not measured; no ANALYZE)", time.Since(start).Seconds())
		cold := benchGet(b, c, base, path, 1)
		// The timeline of a large broadcast is counted in the background:
		// the page is timed once it shows it.
		waited := time.Now()
		for !benchHasTimeline(b, c, base+path) {
			if time.Since(waited) > 2*time.Minute {
				b.Fatal("the timeline never appeared")
			}
			time.Sleep(200 * time.Millisecond)
		}
		took = benchGet(b, c, base, path, 40)
		reportFigure("page after sending", "GET /broadcasts/:id first view %6.1f ms (timeline counted in the background, shown after %.1f s); then p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms",
			pct(cold, 1), time.Since(waited).Seconds(), pct(took, .5), pct(took, .95), pct(took, 1))
		benchRecipientsCSV(b, c, base, path, n)
		var buckets []models.TimelineBucket
		tl := func() {
			fresh, _ := models.FindBroadcast(db, bc.ID)
			var err error
			if buckets, err = models.BroadcastTimeline(db, fresh, benchReportNow); err != nil {
				b.Fatal(err)
			}
		}
		var ts []time.Duration
		for range 5 {
			t := time.Now()
			tl()
			ts = append(ts, time.Since(t))
		}
		slices.Sort(ts)
		reportFigure("timeline query", "%d buckets over %d deliveries: p50 %6.1f ms  max %6.1f ms (uncached)", len(buckets), n, pct(ts, .5), pct(ts, 1))
	}
}

func benchHasTimeline(b *testing.B, c *http.Client, u string) bool {
	b.Helper()
	res, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return strings.Contains(string(raw), `<svg data-testid="timeline"`)
}

// benchRecipientsCSV downloads the broadcast's recipients CSV as staff do
// (GET /broadcasts/:id/recipients.csv through the handler) and reports
// its time, its lines and the growth of the server's heap meanwhile.
func benchRecipientsCSV(b *testing.B, c *http.Client, base, path string, n int) {
	b.Helper()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peak := before.HeapInuse
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}
	}()
	start := time.Now()
	res, err := c.Get(base + path + "/recipients.csv")
	if err != nil {
		b.Fatal(err)
	}
	lines, err := countLines(res.Body)
	res.Body.Close()
	took := time.Since(start)
	close(stop)
	<-done
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("recipients CSV: %d %v", res.StatusCode, err)
	}
	if lines != n+1 {
		b.Fatalf("recipients CSV: %d lines, want %d and the header", lines, n)
	}
	reportFigure("recipients CSV", "GET /broadcasts/:id/recipients.csv: %d rows in %.1f s; heap in use grew by at most %.0f MB",
		n, took.Seconds(), float64(peak-before.HeapInuse)/(1<<20))
	if took > 30*time.Second {
		b.Errorf("the recipients CSV took %s, over 30 s", took)
	}
}

// countLines counts the newlines of r.
func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 64<<10)
	lines := 0
	for {
		k, err := r.Read(buf)
		for _, ch := range buf[:k] {
			if ch == '\n' {
				lines++
			}
		}
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return lines, err
		}
	}
}
