package main

// The contacts figures of the README ("Speed (contacts)"), measured on the
// user's path: the real binary imports a CSV through `omnicast contacts
// import`, then at once — no ANALYZE, no warm-up a user would not have —
// the real server answers the contacts page, the list fragment and the
// count over HTTP. It is a benchmark, so never part of `make test`;
// OMNICAST_USERPATH_CONTACTS names the sizes (default 100000), e.g.
//
//	OMNICAST_USERPATH_CONTACTS=100000,1000000 \
//	OMNICAST_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	go test -run '^$' -bench UserPathFigures -benchtime 1x -timeout 3h ./cmd/omnicast/
//
// SQLite always; PostgreSQL when OMNICAST_TEST_DATABASE_URL is set (in a
// database of its own, created and dropped here). It prints one FIGURE line
// per measurement and a Markdown table at the end.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// userPathFilters are the filters, in the README's order.
var userPathFilters = []struct{ label, query string }{
	{"default view (all subscribed)", ""},
	{"tags_any=vip,hk", "tags_any=vip,hk"},
	{"tags_none=inactive", "tags_none=inactive"},
	{"a rare tag (30 contacts)", "tags_any=rare-gold"},
	{"name search q=C1234", "q=C1234"},
	{"filter (a): tags_any=vip,hk&interacted_within=30d", "tags_any=vip,hk&interacted_within=30d"},
}

const (
	userPathPageRuns  = 20 // list fragment and full page, each
	userPathCountRuns = 10
)

func BenchmarkUserPathFigures(b *testing.B) {
	spec := os.Getenv("OMNICAST_USERPATH_CONTACTS")
	if spec == "" {
		spec = "100000"
	}
	var t testing.TB = b
	var sizes []int
	for _, s := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1000 {
			t.Fatalf("OMNICAST_USERPATH_CONTACTS=%q: want sizes >= 1000, comma-separated", spec)
		}
		sizes = append(sizes, n)
	}
	bin := filepath.Join(t.TempDir(), "omnicast")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	kinds := []string{"sqlite"}
	if os.Getenv(dbtest.PostgresURLEnv) != "" {
		kinds = append(kinds, "postgres")
	}
	var table []string
	for _, n := range sizes {
		csvPath := filepath.Join(t.TempDir(), "contacts.csv")
		writeUserPathCSV(t, csvPath, n, time.Now())
		for _, kind := range kinds {
			b.Run(fmt.Sprintf("%s-%d", kind, n), func(b *testing.B) {
				table = append(table, measureUserPath(b, bin, kind, csvPath, n)...)
			})
		}
	}
	fmt.Println("\n| Database | Contacts | Filter | Count | List fragment p50 / p95 | Full page p50 / p95 | Exact count p50 / p95 | First page + count after import |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, row := range table {
		fmt.Println(row)
	}
}

// writeUserPathCSV writes n contacts of one LINE account: names C1…Cn (a
// third 客戶C…), 9 % unsubscribed, subscription times over two years before
// now, 90 % with a later interaction, and tags vip 12 %, hk 10 %,
// inactive 10 %, taipei 30 %, line-promo 15 %, 新客 5 %, rare-gold on 30.
func writeUserPathCSV(t testing.TB, path string, n int, now time.Time) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := mrand.New(mrand.NewPCG(7, uint64(n)))
	span := int64(730 * 24 * time.Hour)
	fmt.Fprintln(w, "external_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags")
	rare := max(n/30, 1)
	for i := 1; i <= n; i++ {
		sub := now.Add(-time.Duration(r.Int64N(span))).Truncate(time.Second).UTC()
		last := ""
		if r.IntN(10) != 0 {
			last = sub.Add(time.Duration(r.Int64N(int64(now.Sub(sub)) + 1))).Truncate(time.Second).UTC().Format(time.RFC3339)
		}
		subscribed := r.IntN(100) >= 9
		var tags []string
		for _, tg := range []struct {
			name string
			pct  int
		}{{"vip", 12}, {"hk", 10}, {"inactive", 10}, {"taipei", 30}, {"line-promo", 15}, {"新客", 5}} {
			if r.IntN(100) < tg.pct {
				tags = append(tags, tg.name)
			}
		}
		if i%rare == 0 && i/rare <= 30 {
			tags = append(tags, "rare-gold")
		}
		name := "C" + strconv.Itoa(i)
		if i%3 == 0 {
			name = "客戶" + name
		}
		fmt.Fprintf(w, "U%032d,%s,,%v,%s,%s,%s\n", i, name, subscribed, sub.Format(time.RFC3339), last, strings.Join(tags, ";"))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// userPathEnv is one workspace: its data dir, and a database URL for PostgreSQL.
type userPathEnv struct {
	bin  string
	env  []string
	dbcf models.DBConfig
}

func (u userPathEnv) run(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(u.bin, args...)
	cmd.Env = append(os.Environ(), u.env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("omnicast %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func newUserPathEnv(t testing.TB, bin, kind string) userPathEnv {
	t.Helper()
	dir := t.TempDir()
	u := userPathEnv{bin: bin, env: []string{"OMNICAST_DATA_DIR=" + dir, "OMNICAST_DATABASE_URL="}, dbcf: models.DBConfig{DataDir: dir}}
	if kind == "postgres" {
		base := dbtest.RequirePostgresURL(t)
		admin, err := models.OpenPostgres(base)
		if err != nil {
			t.Fatal(err)
		}
		raw := make([]byte, 6)
		_, _ = rand.Read(raw)
		name := "omnicast_userpath_" + hex.EncodeToString(raw)
		if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = admin.Exec("DROP DATABASE " + name + " WITH (FORCE)").Error
			_ = models.Close(admin)
		})
		pu, _ := url.Parse(base)
		pu.Path = "/" + name
		u.dbcf.URL = pu.String()
		u.env[1] = "OMNICAST_DATABASE_URL=" + u.dbcf.URL
	}
	return u
}

// fakeLineQuota answers the two quota calls the contacts page makes for a
// LINE account (cached for a minute by the server).
func fakeLineQuota(t testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/consumption") {
			fmt.Fprint(w, `{"totalUsage":1234}`)
			return
		}
		fmt.Fprint(w, `{"type":"limited","value":5000}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func measureUserPath(t testing.TB, bin, kind, csvPath string, n int) []string {
	u := newUserPathEnv(t, bin, kind)
	u.run(t, "a long password for figures\n", "user", "add", "--email", "ops@example.com", "--name", "Ops", "--role", "admin", "--password-stdin")
	u.run(t, "", "channel", "add", "--kind", "line", "--name", "台北門市", "--external-id", "1650000001",
		"--secret", "line-secret", "--token", "line-token", "--api-base", fakeLineQuota(t))
	start := time.Now()
	out := u.run(t, "", "contacts", "import", "--quiet", "--channel", "1", csvPath)
	took := time.Since(start)
	figureLine(kind, n, "import", "%s (%.0f rows/s including the CLI start and the statistics refresh)", strings.TrimSpace(out), float64(n)/took.Seconds())

	base, stop := startServer(t, u)
	defer stop()
	c := signIn(t, base)
	truth := userPathTruth(t, u.dbcf)
	var rows []string
	for _, f := range userPathFilters {
		q := "channel=1"
		if f.query != "" {
			q += "&" + f.query
		}
		// The first answers for this filter, as the user gets them.
		t0 := time.Now()
		get(t, c, base+"/contacts?"+q, false)
		readCount(t, c, base+"/contacts/count?"+q)
		first := time.Since(t0)
		frag := timeRuns(userPathPageRuns, func() { get(t, c, base+"/contacts?"+q, true) })
		full := timeRuns(userPathPageRuns, func() { get(t, c, base+"/contacts?"+q, false) })
		var got int64
		cnt := timeRuns(userPathCountRuns, func() { got = readCount(t, c, base+"/contacts/count?"+q) })
		want := truth(f.query)
		if got != want {
			t.Errorf("%s: count %d, true count %d", f.label, got, want)
		}
		figureLine(kind, n, f.label, "count %d (true %d); fragment p50 %.1f p95 %.1f ms; full page p50 %.1f p95 %.1f ms; count p50 %.0f p95 %.0f ms; first page+count after import %.0f ms",
			got, want, pct(frag, .5), pct(frag, .95), pct(full, .5), pct(full, .95), pct(cnt, .5), pct(cnt, .95), ms(first))
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %.1f / %.1f ms | %.1f / %.1f ms | %.0f / %.0f ms | %.0f ms |",
			map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind], groupDigits(int64(n)), f.label, groupDigits(got),
			pct(frag, .5), pct(frag, .95), pct(full, .5), pct(full, .95), pct(cnt, .5), pct(cnt, .95), ms(first)))
	}
	return rows
}

// startServer runs `omnicast serve` on a free loopback port until stop.
func startServer(t testing.TB, u userPathEnv) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, u.bin, "serve", "--addr", addr)
	cmd.Env = append(os.Environ(), u.env...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr
	for deadline := time.Now().Add(60 * time.Second); ; {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("the server did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return base, func() { cancel(); _ = cmd.Wait() }
}

func signIn(t testing.TB, base string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 60 * time.Second}
	body := fetch(t, c, base+"/login", nil)
	m := csrfMeta.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	res, err := c.PostForm(base+"/login", url.Values{"_csrf": {m[1]}, "email": {"ops@example.com"}, "password": {"a long password for figures"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if !strings.Contains(fetch(t, c, base+"/contacts", nil), `data-testid="contact-row"`) {
		t.Fatal("signed in, but the contacts page lists no contacts")
	}
	return c
}

func fetch(t testing.TB, c *http.Client, u string, header http.Header) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", u, res.StatusCode, b)
	}
	return string(b)
}

func get(t testing.TB, c *http.Client, u string, htmx bool) {
	t.Helper()
	h := http.Header{}
	if htmx {
		h.Set("HX-Request", "true")
	}
	fetch(t, c, u, h)
}

var countAttr = regexp.MustCompile(`data-testid="match-count" data-count="(\d+)" data-estimated="false"`)

func readCount(t testing.TB, c *http.Client, u string) int64 {
	t.Helper()
	m := countAttr.FindStringSubmatch(fetch(t, c, u, http.Header{"Hx-Request": {"true"}}))
	if m == nil {
		t.Fatalf("%s answered no exact count", u)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// userPathTruth counts a filter with hand-written SQL, independently of
// the code measured.
func userPathTruth(t testing.TB, cfg models.DBConfig) func(query string) int64 {
	db, err := models.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	has := func(tags ...string) string {
		return "EXISTS (SELECT 1 FROM contact_tags ct JOIN tags tg ON tg.id = ct.tag_id WHERE ct.contact_id = c.id AND tg.name IN ('" + strings.Join(tags, "','") + "'))"
	}
	where := map[string]string{
		"":                                      "1 = 1",
		"tags_any=vip,hk":                       has("vip", "hk"),
		"tags_none=inactive":                    "NOT " + has("inactive"),
		"tags_any=rare-gold":                    has("rare-gold"),
		"q=C1234":                               "c.name LIKE '%C1234%'",
		"tags_any=vip,hk&interacted_within=30d": has("vip", "hk") + " AND c.last_interaction_at >= ?",
	}
	return func(query string) int64 {
		var args []any
		if strings.Contains(where[query], "?") {
			args = append(args, time.Now().Add(-30*24*time.Hour).UTC())
		}
		var n int64
		if err := db.Raw("SELECT count(*) FROM contacts c WHERE c.channel_id = 1 AND c.subscribed = ? AND "+where[query], append([]any{true}, args...)...).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

func timeRuns(n int, fn func()) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		t := time.Now()
		fn()
		out[i] = time.Since(t)
	}
	slices.Sort(out)
	return out
}

// pct is the p-th percentile (nearest rank) of sorted durations, in ms.
func pct(d []time.Duration, p float64) float64 {
	i := int(float64(len(d))*p+0.999999) - 1
	return ms(d[max(0, min(i, len(d)-1))])
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func figureLine(kind string, n int, name, format string, args ...any) {
	fmt.Printf("FIGURE %-8s contacts=%-8d %-50s %s\n", kind, n, name, fmt.Sprintf(format, args...))
}

func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
