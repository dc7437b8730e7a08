package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// hxGet asks for a path as htmx does.
func (b *browser) hxGet(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.app.http.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

// TestCountEndpointIsExactAndSeparate: the list answers without counting;
// its "counting…" element asks GET /contacts/count with the same query,
// which answers only the match-count fragment, exact. The account's totals
// (status only) are shown at once. Both follow writes immediately.
func TestCountEndpointIsExactAndSeparate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		app.seedContacts(ch, 30) // VIP every third, every tenth unsubscribed
		b := app.browser()
		b.signIn("mei@example.com")

		full := b.get("/contacts?channel=" + itoa(ch.ID) + "&status=all")
		if v, _ := full.doc.Find(`[data-testid="match-count"]`).Attr("data-count"); v != "30" || full.doc.Find(`[data-testid="match-counting"]`).Length() != 0 {
			t.Fatalf("status-only count should be shown at once from the totals, got %q", v)
		}
		list := b.hxGet("/contacts?channel=" + itoa(ch.ID) + "&tags_any=VIP&q=" + url.QueryEscape("客戶"))
		wantStatus(t, list, http.StatusOK)
		href, _ := list.doc.Find(`[data-testid="match-counting"]`).Attr("hx-get")
		if trig, _ := list.doc.Find(`[data-testid="match-counting"]`).Attr("hx-trigger"); trig != "load" || href != "/contacts/count?channel="+itoa(ch.ID)+"&q="+url.QueryEscape("客戶")+"&tags_any=VIP" {
			t.Fatalf("count request %q (trigger %q)", href, trig)
		}
		c := b.hxGet(href)
		wantStatus(t, c, http.StatusOK)
		el := c.doc.Find(`[data-testid="match-count"]`)
		if v, _ := el.Attr("data-count"); v != "9" { // 3,6,...,30 less 30
			t.Fatalf("count = %s: %s", v, c.body)
		}
		if v, _ := el.Attr("data-estimated"); v != "false" {
			t.Fatal("the count is not marked exact")
		}
		if !strings.Contains(c.body, "9 contacts match") || strings.Contains(c.body, "<html") || c.doc.Find(`[data-testid="contact-row"]`).Length() != 0 {
			t.Fatalf("count answer = %s", c.body)
		}
		if v, _ := el.Attr("data-label-select-all"); v != "Select all 9 matching" {
			t.Fatalf("select-all label %q", v)
		}
		if c.header.Get("Cache-Control") != "no-store" {
			t.Fatal("a count may be cached")
		}
		// A contact unsubscribes: the totals and the count follow at once.
		first, _ := models.FindContact(db, ch.ID, "user-003")
		if err := models.SetContactSubscribed(db, ch.ID, first.ID, false, app.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if v, _ := b.hxGet(href).doc.Find(`[data-testid="match-count"]`).Attr("data-count"); v != "8" {
			t.Fatalf("after an unsubscribe the count is %s", v)
		}
		if got := b.get("/contacts?channel=" + itoa(ch.ID)).text(`[data-testid="total"]`); got != "30" {
			t.Fatalf("total %q", got)
		}
		wantStatus(t, b.hxGet("/contacts/count?channel=99999"), http.StatusNotFound)
	})
}

// fakeLine answers LINE's quota calls and counts them.
func fakeLine(t *testing.T, calls *atomic.Int32) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v2/bot/message/quota":
			fmt.Fprint(w, `{"type":"limited","value":5000}`)
		case "/v2/bot/message/quota/consumption":
			fmt.Fprint(w, `{"totalUsage":1234}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestLineQuotaIsCachedWithItsAge: loading the contacts page asks LINE for
// the quota at most once a minute, and shows how old the figures are.
func TestLineQuotaIsCachedWithItsAge(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	var calls atomic.Int32
	ch := app.channel("line", fakeLine(t, &calls))
	b := app.browser()
	b.signIn("mei@example.com")
	load := func() (string, string) {
		p := b.get("/contacts?channel=" + itoa(ch.ID))
		wantStatus(t, p, http.StatusOK)
		age, _ := p.doc.Find(`[data-testid="quota-age"]`).Attr("data-age")
		return p.text(`[data-testid="line-quota"] strong`), age
	}
	if q, age := load(); q != "1234 / 5000" || age != "0" || calls.Load() != 2 {
		t.Fatalf("first load: %q, age %s, %d calls", q, age, calls.Load())
	}
	app.clock.Advance(35 * time.Second)
	if q, age := load(); q != "1234 / 5000" || age != "35" || calls.Load() != 2 {
		t.Fatalf("35 s later: %q, age %s, %d calls (want the cached figures)", q, age, calls.Load())
	}
	app.clock.Advance(30 * time.Second)
	if _, age := load(); age != "0" || calls.Load() != 4 {
		t.Fatalf("past a minute: age %s, %d calls (want LINE asked again)", age, calls.Load())
	}
}

// TestLineQuotaFallsBackToTheStoredOne: when LINE cannot be asked, the
// page shows the quota the refresh job stored, with that figure's age;
// without a recent stored one it shows the dash.
func TestLineQuotaFallsBackToTheStoredOne(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"busy"}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	ch := app.channel("line", down.URL)
	b := app.browser()
	b.signIn("mei@example.com")
	load := func() (string, string) {
		p := b.get("/contacts?channel=" + itoa(ch.ID))
		wantStatus(t, p, http.StatusOK)
		age, _ := p.doc.Find(`[data-testid="quota-age"]`).Attr("data-age")
		return p.text(`[data-testid="line-quota"] strong`), age
	}
	if q, _ := load(); strings.Contains(q, "/") {
		t.Fatalf("LINE down and nothing stored: %q, want no figures", q)
	}
	if err := models.StoreChannelQuota(app.db, models.ChannelQuota{ChannelID: ch.ID, MonthlyLimit: 5000, Used: 4200,
		CheckedAt: app.clock.Now().Add(-4 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	app.clock.Advance(61 * time.Second)
	if q, age := load(); q != "4200 / 5000" || age != "301" {
		t.Fatalf("LINE down, stored 5 min ago: %q, age %s", q, age)
	}
}

// TestTagsPageCountsLandOnTheSameNumber: the tags page counts a tag's
// contacts per account, and each number links to that account's list
// showing the same number.
func TestTagsPageCountsLandOnTheSameNumber(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		line := app.channel("line", "http://127.0.0.1:1")
		fb := app.channel("messenger", "")
		app.seedContacts(line, 12) // VIP: 3, 6, 9, 12
		app.seedContacts(fb, 7)    // VIP: 3, 6
		b := app.browser()
		b.signIn("mei@example.com")
		p := b.get("/tags")
		row := p.doc.Find(`[data-testid="tag-row"][data-tag="VIP"]`)
		if v, _ := row.Find(`[data-testid="tag-count"]`).Attr("data-count"); v != "6" {
			t.Fatalf("VIP total %s", v)
		}
		links := row.Find(`[data-testid="tag-channel-count"]`)
		if links.Length() != 2 {
			t.Fatalf("%d per-account counts, want 2: %s", links.Length(), row.Text())
		}
		seen := map[string]bool{}
		for i := range links.Length() {
			a := links.Eq(i)
			href, _ := a.Attr("href")
			shown, _ := a.Attr("data-count")
			n := matchCount(t, b, b.get(href))
			if strconv.Itoa(n) != shown {
				t.Fatalf("%s shows %s on the tags page but the list counts %d", href, shown, n)
			}
			seen[shown] = true
		}
		if !seen["4"] || !seen["2"] {
			t.Fatalf("per-account counts %v, want 4 (LINE) and 2 (Messenger)", seen)
		}
		// One account: the total itself is the link.
		if err := models.DeleteChannel(db, fb.ID); err != nil {
			t.Fatal(err)
		}
		row = b.get("/tags").doc.Find(`[data-testid="tag-row"][data-tag="VIP"]`)
		if a := row.Find(`[data-testid="tag-count"] a`); a.Length() != 1 || strings.TrimSpace(a.Text()) != "4" {
			t.Fatalf("single account: %q", row.Find(`[data-testid="tag-count"]`).Text())
		}
	})
}

// TestBulkTagHandlerRefreshesStatistics: tagging many picked contacts
// through the selection form leaves the statistics current when it
// answers.
func TestBulkTagHandlerRefreshesStatistics(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		if err := db.Exec(`WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 600)
 INSERT INTO contacts (channel_id, external_id, name, subscribed, created_at, updated_at)
 SELECT ?, 'p' || n, 'P', ?, ?, ? FROM s`,
			ch.ID, true, app.clock.Now(), app.clock.Now()).Error; err != nil {
			t.Fatal(err)
		}
		var ids []string
		var all []uint64
		db.Model(&models.Contact{}).Where("channel_id = ?", ch.ID).Order("id").Pluck("id", &all)
		for _, id := range all {
			ids = append(ids, strconv.FormatUint(id, 10))
		}
		b := app.browser()
		b.signIn("mei@example.com")
		b.get("/contacts?channel=" + itoa(ch.ID))
		p := b.post("/contacts/tags", url.Values{"channel": {itoa(ch.ID)}, "filter": {"channel=" + itoa(ch.ID)}, "ids": {strings.Join(ids, ",")}, "tags": {"picked"}, "mode": {"add"}})
		wantStatus(t, p, http.StatusSeeOther)
		var n int64
		if models.IsPostgres(db) {
			db.Raw("SELECT reltuples::bigint FROM pg_class WHERE oid = 'contact_tags'::regclass").Row().Scan(&n)
		} else {
			var stat string
			db.Raw("SELECT stat FROM sqlite_stat1 WHERE tbl = 'contact_tags' AND stat <> '' LIMIT 1").Row().Scan(&stat)
			fmt.Sscan(stat, &n)
		}
		if len(all) != 600 || n != 600 {
			t.Fatalf("after tagging %d picked contacts the statistics say %d links", len(all), n)
		}
	})
}
