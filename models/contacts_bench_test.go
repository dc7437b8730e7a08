package models_test

// Benchmarks of the contact filter at scale. They run only with -bench
// (`make bench`); plain `go test` never generates their data. Size:
// OMNICAST_BENCH_CONTACTS (default 100000). SQLite always; PostgreSQL when
// OMNICAST_TEST_DATABASE_URL is set. Each figure is reported as a metric and
// printed on a line starting with "FIGURE".

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// benchNow is the moment every benchmark query runs at; the data spans the
// two years before it.
var benchNow = time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)

const (
	benchChannel  = 1
	benchTagCount = 20
	benchPageSize = 50
	// benchFilterA is the headline filter: two tags, include-any, and an
	// interaction in the last 30 days (subscribed contacts, newest first).
	benchFilterA = "tags_any=tag01,tag02&interacted_within=30d"
	// benchFilterB is the same without the time bound, for deep pages.
	benchFilterB = "tags_any=tag01,tag02"
)

func benchContacts(b *testing.B) int {
	b.Helper()
	n := 100000
	if s := os.Getenv("OMNICAST_BENCH_CONTACTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			b.Fatalf("OMNICAST_BENCH_CONTACTS=%q: want a whole number >= 1000", s)
		}
		n = v
	}
	return n
}

// benchEachDB runs fn on a fresh SQLite database, and on a fresh
// PostgreSQL schema when OMNICAST_TEST_DATABASE_URL is set.
func benchEachDB(b *testing.B, fn func(b *testing.B, kind string, db *gorm.DB)) {
	kinds := []string{"sqlite"}
	if os.Getenv(dbtest.PostgresURLEnv) != "" {
		kinds = append(kinds, "postgres")
	}
	for _, kind := range kinds {
		b.Run(kind, func(b *testing.B) {
			var db *gorm.DB
			if kind == "sqlite" {
				db = dbtest.SQLite(b)
			} else {
				db = dbtest.Postgres(b)
			}
			fn(b, kind, db)
		})
	}
}

// benchLINEChannel stores the LINE channel the generated contacts belong to.
func benchLINEChannel(b *testing.B, db *gorm.DB) *models.Channel {
	ch := &models.Channel{ID: benchChannel, Kind: channels.KindLINE, Name: "bench", ExternalID: "bench", Credentials: []byte{}}
	if err := db.Create(ch).Error; err != nil {
		b.Fatal(err)
	}
	return ch
}

func BenchmarkContactFilter(b *testing.B) {
	n := benchContacts(b)
	benchEachDB(b, func(b *testing.B, kind string, db *gorm.DB) {
		start := time.Now()
		generateBenchContacts(b, db, n)
		figure(kind, n, "generation", "%d contacts with tags in %.1f s (not measured below)", n, time.Since(start).Seconds())
		rep := &benchReport{kind: kind, n: n}
		b.Run("a_first_page", func(b *testing.B) { benchFirstPage(b, db, rep) })
		b.Run("b_deep_page", func(b *testing.B) { benchDeepPage(b, db, rep) })
		b.Run("c_count", func(b *testing.B) { benchCount(b, db, rep) })
		b.Run("d_tag_selection", func(b *testing.B) { benchTagSelection(b, db, rep) })
	})
}

type benchReport struct {
	kind string
	n    int
}

// figure prints one clearly labelled result line.
func figure(kind string, n int, name, format string, args ...any) {
	fmt.Printf("FIGURE %-8s contacts=%-8d %-14s %s\n", kind, n, name, fmt.Sprintf(format, args...))
}

func benchFilter(b *testing.B, query string) models.ContactFilter {
	b.Helper()
	v, err := url.ParseQuery(query)
	if err != nil {
		b.Fatal(err)
	}
	v.Set("channel", strconv.Itoa(benchChannel))
	f, errs := models.ParseContactFilter(v, taipei(b))
	if errs != nil {
		b.Fatal(errs)
	}
	return f
}

// timings runs fn runs times after a few warm-up runs and returns the
// sorted durations.
func timings(b *testing.B, runs int, fn func()) []time.Duration {
	b.Helper()
	for range 3 {
		fn()
	}
	out := make([]time.Duration, runs)
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
	i = max(0, min(i, len(d)-1))
	return float64(d[i]) / float64(time.Millisecond)
}

func page(b *testing.B, db *gorm.DB, f models.ContactFilter, after string) models.ContactPage {
	b.Helper()
	p, err := models.ListContactPage(db, f, after, "", benchPageSize, benchNow)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func benchFirstPage(b *testing.B, db *gorm.DB, rep *benchReport) {
	f := benchFilter(b, benchFilterA)
	var rows int
	d := timings(b, 50, func() { rows = len(page(b, db, f, "").Contacts) })
	if rows != benchPageSize {
		b.Fatalf("first page has %d rows, want %d", rows, benchPageSize)
	}
	b.ReportMetric(pct(d, 0.5)*1e6, "ns/op")
	b.ReportMetric(pct(d, 0.5), "p50_ms")
	b.ReportMetric(pct(d, 0.95), "p95_ms")
	figure(rep.kind, rep.n, "(a) first page", "%q, %d rows: p50 %.2f ms, p95 %.2f ms over %d runs", benchFilterA, rows, pct(d, 0.5), pct(d, 0.95), len(d))
}

func benchDeepPage(b *testing.B, db *gorm.DB, rep *benchReport) {
	const depth = 200
	query := benchFilterA
	cursor, reached := walkTo(b, db, benchFilter(b, query), depth)
	if reached < depth {
		// The 30-day filter has fewer than 200 pages at this size.
		query = benchFilterB
		cursor, reached = walkTo(b, db, benchFilter(b, query), depth)
		if reached < depth {
			b.Fatalf("only %d pages of %q", reached, query)
		}
	}
	f := benchFilter(b, query)
	var rows int
	deep := timings(b, 30, func() { rows = len(page(b, db, f, cursor).Contacts) })
	first := timings(b, 30, func() { page(b, db, f, "") })
	if rows != benchPageSize {
		b.Fatalf("page %d has %d rows", depth, rows)
	}
	ratio := pct(deep, 0.5) / pct(first, 0.5)
	b.ReportMetric(pct(deep, 0.5)*1e6, "ns/op")
	b.ReportMetric(pct(deep, 0.95), "deep_p95_ms")
	b.ReportMetric(pct(first, 0.95), "first_p95_ms")
	b.ReportMetric(ratio, "deep/first")
	figure(rep.kind, rep.n, "(b) deep page", "%q page %d (by Next cursors): p50 %.2f ms, p95 %.2f ms; first page p50 %.2f ms, p95 %.2f ms; ratio (p50) %.2f, (p95) %.2f",
		query, depth, pct(deep, 0.5), pct(deep, 0.95), pct(first, 0.5), pct(first, 0.95), ratio, pct(deep, 0.95)/pct(first, 0.95))
}

// walkTo follows Next cursors and returns the cursor of page depth (1-based:
// the cursor after page depth-1) and how many pages it reached.
func walkTo(b *testing.B, db *gorm.DB, f models.ContactFilter, depth int) (string, int) {
	b.Helper()
	after := ""
	for i := 1; i < depth; i++ {
		p := page(b, db, f, after)
		if p.Next == "" {
			return "", i
		}
		after = p.Next
	}
	return after, depth
}

func benchCount(b *testing.B, db *gorm.DB, rep *benchReport) {
	tagged := " AND EXISTS (SELECT 1 FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id AND t.name IN ('tag01', 'tag02'))"
	for _, c := range []struct{ label, query, exact string }{
		{"(c) count", benchFilterA, "c.last_interaction_at >= ?" + tagged},
		{"(c') count", benchFilterB, "1 = 1" + tagged},
		{"(c'') count", "", "1 = 1"},
	} {
		// The true answer, by hand-written SQL (not timed).
		var exact int64
		args := []any{benchChannel, true}
		if strings.Contains(c.exact, "?") {
			args = append(args, benchNow.Add(-30*24*time.Hour))
		}
		if err := db.Raw("SELECT count(*) FROM contacts c WHERE c.channel_id = ? AND c.subscribed = ? AND "+c.exact, args...).Row().Scan(&exact); err != nil {
			b.Fatal(err)
		}
		f := benchFilter(b, c.query)
		var n int64
		d := timings(b, 20, func() {
			var err error
			if n, err = models.CountContacts(db, f, benchNow); err != nil {
				b.Fatal(err)
			}
		})
		kind := "exact"
		if n != exact {
			b.Fatalf("exact count %d, true count %d", n, exact)
		}
		name := c.query
		if name == "" {
			name = "all subscribed"
		}
		if c.query == benchFilterA {
			b.ReportMetric(pct(d, 0.5)*1e6, "ns/op")
			b.ReportMetric(pct(d, 0.95), "p95_ms")
			b.ReportMetric(float64(n), "matches")
		}
		figure(rep.kind, rep.n, c.label, "%q = %d (%s): p50 %.2f ms, p95 %.2f ms over %d runs", name, n, kind, pct(d, 0.5), pct(d, 0.95), len(d))
	}
}

func benchTagSelection(b *testing.B, db *gorm.DB, rep *benchReport) {
	const want = 100000
	query := "status=all"
	if rep.n > want {
		// The newest 100,000 subscriptions (generation-side look-up, not timed).
		var at time.Time
		err := db.Raw("SELECT subscribed_at FROM contacts WHERE channel_id = ? AND subscribed_at IS NOT NULL ORDER BY subscribed_at DESC, id DESC LIMIT 1 OFFSET ?", benchChannel, want-1).Row().Scan(&at)
		if err != nil {
			b.Fatal(err)
		}
		query += "&subscribed_from=" + at.UTC().Format(time.RFC3339)
	}
	f := benchFilter(b, query)
	count, err := models.CountContacts(db, f, benchNow)
	if err != nil {
		b.Fatal(err)
	}
	var tagD, untagD []time.Duration
	for i := range 3 {
		tags, err := models.EnsureTags(db, []string{"bulk-" + strconv.Itoa(i)})
		if err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		added, err := models.TagMatching(db, f, tags, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		tagD = append(tagD, time.Since(t))
		if added != count {
			b.Fatalf("TagMatching added %d links, selection has %d", added, count)
		}
		t = time.Now()
		removed, err := models.UntagMatching(db, f, tags, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		untagD = append(untagD, time.Since(t))
		if removed != added {
			b.Fatalf("UntagMatching removed %d of %d", removed, added)
		}
	}
	slices.Sort(tagD)
	slices.Sort(untagD)
	b.ReportMetric(float64(tagD[1]), "ns/op")
	b.ReportMetric(tagD[1].Seconds(), "tag_s")
	b.ReportMetric(untagD[1].Seconds(), "untag_s")
	b.ReportMetric(float64(count), "contacts")
	figure(rep.kind, rep.n, "(d) tag all", "%q = %d contacts: TagMatching median %.2f s (max %.2f s), UntagMatching median %.2f s over 3 runs",
		query, count, tagD[1].Seconds(), tagD[2].Seconds(), untagD[1].Seconds())
}

// generateBenchContacts loads n contacts of one channel with 0-5 of 20
// tags each, times spread over the two years before benchNow, by
// multi-row INSERTs in one transaction; then refreshes the planner's
// statistics as a maintained database would have them.
func generateBenchContacts(b testing.TB, db *gorm.DB, n int) {
	b.Helper()
	names := make([]string, benchTagCount)
	for i := range names {
		names[i] = fmt.Sprintf("tag%02d", i+1)
	}
	tags, err := models.EnsureTags(db, names)
	if err != nil {
		b.Fatal(err)
	}
	tagIDs := make([]uint, len(tags))
	for i, t := range tags {
		tagIDs[i] = t.ID
	}
	r := rand.New(rand.NewPCG(2026, uint64(n)))
	span := 730 * 24 * time.Hour
	ts := func(t *time.Time) string {
		if t == nil {
			return "NULL"
		}
		return "'" + t.UTC().Format("2006-01-02 15:04:05-07:00") + "'"
	}
	created := ts(&benchNow)
	var contacts, links strings.Builder
	var nContacts, nLinks int
	flush := func(tx *gorm.DB, force bool) {
		if nContacts > 0 && (force || nContacts >= 2000) {
			if err := tx.Exec("INSERT INTO contacts (id, channel_id, external_id, name, subscribed, subscribed_at, unsubscribed_at, last_interaction_at, created_at, updated_at) VALUES " + contacts.String()).Error; err != nil {
				b.Fatal(err)
			}
			contacts.Reset()
			nContacts = 0
		}
		if nLinks > 0 && (force || nLinks >= 10000) {
			if err := tx.Exec("INSERT INTO contact_tags (contact_id, tag_id) VALUES " + links.String()).Error; err != nil {
				b.Fatal(err)
			}
			links.Reset()
			nLinks = 0
		}
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		perm := slices.Clone(tagIDs)
		for i := 1; i <= n; i++ {
			var sub, last, unsub *time.Time
			if r.IntN(50) != 0 {
				t := benchNow.Add(-time.Duration(r.Int64N(int64(span)))).Truncate(time.Second)
				sub = &t
			}
			if r.IntN(10) != 0 {
				from := benchNow.Add(-span)
				if sub != nil {
					from = *sub
				}
				t := from.Add(time.Duration(r.Int64N(int64(benchNow.Sub(from)) + 1))).Truncate(time.Second)
				last = &t
			}
			subscribed := r.IntN(100) < 88
			if !subscribed {
				unsub = last
				if unsub == nil {
					unsub = sub
				}
			}
			name := "Contact " + strconv.Itoa(i)
			if i%3 == 0 {
				name = "客戶 " + strconv.Itoa(i)
			}
			if nContacts > 0 {
				contacts.WriteByte(',')
			}
			fmt.Fprintf(&contacts, "(%d,%d,'ext-%d','%s',%s,%s,%s,%s,%s,%s)", i, benchChannel, i, name,
				strings.ToUpper(strconv.FormatBool(subscribed)), ts(sub), ts(unsub), ts(last), created, created)
			nContacts++
			k := r.IntN(6)
			for j := 0; j < k; j++ {
				s := j + r.IntN(len(perm)-j)
				perm[j], perm[s] = perm[s], perm[j]
				if nLinks > 0 {
					links.WriteByte(',')
				}
				fmt.Fprintf(&links, "(%d,%d)", i, perm[j])
				nLinks++
			}
			flush(tx, false)
		}
		flush(tx, true)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if models.IsPostgres(db) {
		for _, s := range []string{
			"SELECT setval(pg_get_serial_sequence('contacts', 'id'), (SELECT max(id) FROM contacts))",
			"VACUUM ANALYZE contacts", "VACUUM ANALYZE contact_tags", "VACUUM ANALYZE tags",
		} {
			if err := db.Exec(s).Error; err != nil {
				b.Fatal(err)
			}
		}
	} else if err := db.Exec("ANALYZE").Error; err != nil {
		b.Fatal(err)
	}
}
