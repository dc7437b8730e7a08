package web

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// seedContacts makes n contacts on ch: contact i subscribed i days before
// the app's clock, interacting i hours before it; every third is tagged
// VIP, every fourth 台北, every tenth unsubscribed.
func (a *testApp) seedContacts(ch *models.Channel, n int) {
	a.t.Helper()
	now := a.clock.Now()
	vip, _ := models.EnsureTags(a.db, []string{"VIP"})
	tpe, _ := models.EnsureTags(a.db, []string{"台北"})
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("user-%03d", i)
		name := fmt.Sprintf("客戶 %03d", i)
		ev := channels.Event{Kind: channels.EventMessage, UserID: id, Name: name, Time: now.Add(-time.Duration(i) * time.Hour), DedupeKey: id}
		out, err := models.ApplyWebhookEvent(a.db, ch, ev, nil, now)
		if err != nil {
			a.t.Fatal(err)
		}
		a.db.Model(&models.Contact{}).Where("id = ?", out.ContactID).Update("subscribed_at", now.AddDate(0, 0, -i))
		if i%3 == 0 {
			_ = models.TagContacts(a.db, []uint64{out.ContactID}, vip)
		}
		if i%4 == 0 {
			_ = models.TagContacts(a.db, []uint64{out.ContactID}, tpe)
		}
		if i%10 == 0 {
			_ = models.SetContactSubscribed(a.db, ch.ID, out.ContactID, false, now)
		}
	}
}

// matchCount reads the exact match count of a results page: shown at once
// (the account's totals), or else asked for as the page does, from the
// "counting…" element's GET /contacts/count.
func matchCount(t *testing.T, b *browser, p page) int {
	t.Helper()
	if v, ok := p.doc.Find(`[data-testid="match-count"]`).Attr("data-count"); ok {
		n, _ := strconv.Atoi(v)
		return n
	}
	href, ok := p.doc.Find(`[data-testid="match-counting"]`).Attr("hx-get")
	if !ok || !strings.HasPrefix(href, "/contacts/count?") {
		t.Fatalf("no match count and no count request on the page: %.300s", p.body)
	}
	req, _ := http.NewRequest(http.MethodGet, b.app.http.URL+href, nil)
	req.Header.Set("HX-Request", "true")
	c := b.do(req)
	wantStatus(t, c, http.StatusOK)
	el := c.doc.Find(`[data-testid="match-count"]`)
	v, ok := el.Attr("data-count")
	if est, _ := el.Attr("data-estimated"); !ok || est != "false" || strings.Contains(c.body, "<html") {
		t.Fatalf("count answer is not an exact count fragment: %.300s", c.body)
	}
	n, _ := strconv.Atoi(v)
	return n
}

func TestContactListPagesAndFragments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		app.seedContacts(ch, 120)
		b := app.browser()
		b.signIn("mei@example.com")

		full := b.get("/contacts")
		wantStatus(t, full, http.StatusOK)
		if matchCount(t, b, full) != 108 { // 120 less 12 unsubscribed
			t.Fatalf("default count = %d", matchCount(t, b, full))
		}
		if full.doc.Find(`[data-testid="contact-row"]`).Length() != 50 || full.doc.Find("html").Length() != 1 {
			t.Fatal("full page should carry 50 rows and the shell")
		}
		if got := full.text(`[data-testid="total"]`); got != "120" {
			t.Fatalf("account total = %q", got)
		}
		first := full.doc.Find(`[data-testid="contact-row"] .name-col`).First().Text()
		if !strings.Contains(first, "客戶 001") {
			t.Fatalf("newest interaction first, got %q", first)
		}

		// htmx asks for the fragment: no shell, and the canonical URL to push.
		req, _ := http.NewRequest(http.MethodGet, app.http.URL+"/contacts?channel="+itoa(ch.ID)+"&tags_any=VIP&interacted_preset=7d&panel=open", nil)
		req.Header.Set("HX-Request", "true")
		frag := b.do(req)
		wantStatus(t, frag, http.StatusOK)
		// The rows come first; the count follows from its own request.
		if strings.Contains(frag.body, "<html") || frag.doc.Find(`[data-testid="match-counting"]`).Length() != 1 ||
			frag.doc.Find(`[data-testid="contact-row"]`).Length() != 36 {
			t.Fatalf("fragment wrong: %.200s", frag.body)
		}
		push := frag.header.Get("HX-Push-Url")
		if !strings.Contains(push, "interacted_within=7d") || !strings.Contains(push, "tags_any=VIP") || strings.Contains(push, "preset") {
			t.Fatalf("pushed URL = %q", push)
		}
		// VIP (every 3rd), interacted within 7 days (i <= 168 h, so all 120), subscribed: 40 - 4 unsubscribed.
		if matchCount(t, b, frag) != 36 {
			t.Fatalf("VIP within 7d = %d", matchCount(t, b, frag))
		}

		// Keyset paging: next, then previous, then the link reproduces the page.
		next, _ := full.doc.Find(`[data-testid="next-page"]`).Attr("href")
		p2 := b.get(next)
		if p2.doc.Find(`[data-testid="contact-row"]`).Length() != 50 {
			t.Fatal("second page not full")
		}
		prev, _ := p2.doc.Find(`[data-testid="prev-page"]`).Attr("href")
		back := b.get(prev)
		if got := back.doc.Find(`[data-testid="contact-row"] .name-col`).First().Text(); got != first {
			t.Fatalf("previous page starts with %q, want %q", got, first)
		}
	})
}

func TestContactListRejectsBadFilterClearly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("line", "http://127.0.0.1:1")
		app.seedContacts(ch, 5)
		b := app.browser()
		b.signIn("mei@example.com")
		for _, tc := range []struct{ query, field string }{
			{"interacted_from=2026-13-45", "interacted"},
			{"interacted_within=soon", "interacted"},
			{"status=maybe", "status"},
			{"sort=random", "sort"},
			{"subscribed_from=2026-05-01&subscribed_to=2026-04-01", "subscribed"},
			{"q=%00", "q"},
			{"q=a%00b", "q"},
			{"q=%ff%fe", "q"},
			{"tags_any=vip%00", "tags_any"},
			{"subscribed_from=2026-01-01%00", "subscribed"},
		} {
			p := b.get("/contacts?channel=" + itoa(ch.ID) + "&" + tc.query)
			wantStatus(t, p, http.StatusUnprocessableEntity)
			if p.doc.Find(`[data-testid="filter-errors"] li`).Length() == 0 {
				t.Errorf("%s: no clear error shown", tc.query)
			}
			if p.doc.Find(`#filter-form [data-field="`+tc.field+`"].invalid`).Length() != 1 {
				t.Errorf("%s: the %s field is not highlighted", tc.query, tc.field)
			}
			// Never "0 contacts match, loosen your filter" for input that was invalid.
			if p.doc.Find(`[data-testid="no-results"], [data-testid="match-count"], [data-testid="match-counting"]`).Length() != 0 ||
				p.doc.Find(`[data-testid="filter-invalid"]`).Length() != 1 {
				t.Errorf("%s: the results claim a count or an empty match: %.300s", tc.query, p.text("#results"))
			}
		}
	})
}

// TestInvalidFilterKeepsLastResults: an htmx filter request with invalid
// input answers 422 with only the filter form (out of band, fields marked,
// what was typed kept) and swaps nothing else, so the page keeps showing
// the last valid results; the count request refuses it too.
func TestInvalidFilterKeepsLastResults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		app.seedContacts(ch, 8)
		b := app.browser()
		b.signIn("mei@example.com")
		hx := func(path string) page {
			req, _ := http.NewRequest(http.MethodGet, app.http.URL+path, nil)
			req.Header.Set("HX-Request", "true")
			return b.do(req)
		}
		p := hx("/contacts?channel=" + itoa(ch.ID) + "&panel=open&tags_any=VIP&interacted_preset=custom&interacted_from=2026-99-01&q=" + url.QueryEscape("王"))
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if p.header.Get("HX-Reswap") != "none" || p.header.Get("HX-Push-Url") != "" {
			t.Fatalf("an invalid filter must not replace the results nor the URL: reswap %q, push %q", p.header.Get("HX-Reswap"), p.header.Get("HX-Push-Url"))
		}
		form := p.doc.Find(`form#filter-form[hx-swap-oob="true"]`)
		if form.Length() != 1 || p.doc.Find(`[data-testid="contact-row"], .results-inner`).Length() != 0 {
			t.Fatalf("answer should be the filter form alone: %.300s", p.body)
		}
		if form.Find(`[data-field="interacted"].invalid`).Length() != 1 || form.Find(`[data-field="tags_any"].invalid`).Length() != 0 {
			t.Fatal("the wrong fields are marked")
		}
		if v, _ := form.Find(`input[name="interacted_from"]`).Attr("value"); v != "2026-99-01" {
			t.Fatalf("what was typed is lost: %q", v)
		}
		if v, _ := form.Find(`input[name="tags_any"]`).Attr("value"); v != "VIP" {
			t.Fatalf("other fields lost: %q", v)
		}
		if _, ok := form.Find(`input[name="interacted_from"]`).Attr("autofocus"); !ok {
			t.Fatal("the field in error does not get the focus")
		}
		if msg := form.Find(`[data-testid="filter-errors"]`).Text(); !strings.Contains(msg, "YYYY-MM-DD") {
			t.Fatalf("message = %q", msg)
		}
		c := hx("/contacts/count?channel=" + itoa(ch.ID) + "&q=%00")
		wantStatus(t, c, http.StatusUnprocessableEntity)
	})
}

// TestCursorsOutOfRangeAnswer400: ids at or above 2⁶³ in after/before are
// refused with a message, not a database error.
func TestCursorsOutOfRangeAnswer400(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		app.seedContacts(ch, 3)
		b := app.browser()
		b.signIn("mei@example.com")
		enc := func(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }
		for _, cur := range []string{
			enc(`{"t":"2026-11-25T00:00:00Z","i":9223372036854775808}`),
			enc(`{"n":true,"i":18446744073709551615}`),
			enc(`{"n":true,"i":99999999999999999999}`),
			"garbage",
		} {
			for _, k := range []string{"after", "before"} {
				p := b.get("/contacts?channel=" + itoa(ch.ID) + "&" + k + "=" + cur)
				wantStatus(t, p, http.StatusBadRequest)
				if !strings.Contains(p.text(`[data-testid="cursor-invalid"]`), "no longer valid") {
					t.Fatalf("%s=%s: no message: %.300s", k, cur, p.text("#results"))
				}
			}
		}
		// Picked ids past that range are refused the same way, not sent to the database.
		b.get("/contacts?channel=" + itoa(ch.ID))
		for _, path := range []string{"/contacts/tags", "/audiences"} {
			p := b.post(path, url.Values{"channel": {itoa(ch.ID)}, "filter": {""}, "ids": {"9223372036854775808"}, "tags": {"x"}, "mode": {"add"}})
			wantStatus(t, p, http.StatusBadRequest)
		}
	})
}

func TestSelectionToAudienceAndBulkTagging(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		app.seedContacts(ch, 60)
		b := app.browser()
		b.signIn("mei@example.com")
		list := b.get("/contacts?channel=" + itoa(ch.ID) + "&tags_any=VIP")
		filter, _ := list.doc.Find(`[data-testid="tag-form"] input[name="filter"]`).Attr("value")
		want := matchCount(t, b, list)

		// All matching → audience with the filter's count.
		p := b.post("/audiences", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}, "all": {"1"}})
		wantStatus(t, p, http.StatusSeeOther)
		if !strings.HasPrefix(p.location(), "/broadcasts/new?audience=") {
			t.Fatalf("audience redirect = %q", p.location())
		}
		aud := b.get(p.location())
		if v, _ := aud.doc.Find(`[data-testid="audience-count"]`).Attr("data-count"); v != strconv.Itoa(want) {
			t.Fatalf("audience count = %s, filter count = %d", v, want)
		}
		if !strings.Contains(aud.text(`[data-testid="audience"]`), "VIP") {
			t.Fatal("audience page does not state the conditions")
		}

		// Explicit ids: only this channel's contacts count.
		ids := []string{}
		list.doc.Find(`input.sel`).Each(func(i int, s *goquery.Selection) {
			if i < 3 {
				v, _ := s.Attr("value")
				ids = append(ids, v)
			}
		})
		p = b.post("/audiences", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}, "ids": {strings.Join(ids, ",") + ",999999"}})
		aud = b.get(p.location())
		if v, _ := aud.doc.Find(`[data-testid="audience-count"]`).Attr("data-count"); v != "3" {
			t.Fatalf("picked audience count = %s", v)
		}
		wantStatus(t, b.post("/audiences", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}}), http.StatusSeeOther)

		// Tag all matching in bulk, then count through the tag filter.
		p = b.post("/contacts/tags", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}, "all": {"1"}, "tags": {"春季活動, 重要"}, "mode": {"add"}})
		wantStatus(t, p, http.StatusSeeOther)
		tagged := b.get("/contacts?channel=" + itoa(ch.ID) + "&tags_all=" + url.QueryEscape("春季活動,重要"))
		if matchCount(t, b, tagged) != want {
			t.Fatalf("tagged %d, want %d", matchCount(t, b, tagged), want)
		}
		p = b.post("/contacts/tags", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}, "ids": {ids[0]}, "tags": {"重要"}, "mode": {"remove"}})
		wantStatus(t, p, http.StatusSeeOther)
		if n := matchCount(t, b, b.get("/contacts?channel="+itoa(ch.ID)+"&tags_any="+url.QueryEscape("重要"))); n != want-1 {
			t.Fatalf("after removing from one: %d", n)
		}
	})
}

func TestRowActions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("messenger", "")
		app.seedContacts(ch, 3)
		b := app.browser()
		b.signIn("mei@example.com")
		b.get("/contacts")
		c, _ := models.FindContact(db, ch.ID, "user-001")
		id := strconv.FormatUint(c.ID, 10)
		form := url.Values{"channel": {itoa(ch.ID)}, "back": {"channel=" + itoa(ch.ID)}}

		set := func(k, v string) url.Values {
			f := url.Values{}
			for kk, vv := range form {
				f[kk] = vv
			}
			f.Set(k, v)
			return f
		}
		wantStatus(t, b.post("/contacts/"+id+"/subscription", set("subscribed", "false")), http.StatusSeeOther)
		if c, _ := models.FindContact(db, ch.ID, "user-001"); c.Subscribed || c.UnsubscribedAt == nil {
			t.Fatal("not unsubscribed")
		}
		wantStatus(t, b.post("/contacts/"+id+"/subscription", set("subscribed", "true")), http.StatusSeeOther)
		if c, _ := models.FindContact(db, ch.ID, "user-001"); !c.Subscribed {
			t.Fatal("not resubscribed")
		}
		wantStatus(t, b.post("/contacts/"+id+"/tags", set("tags", "A、B, C")), http.StatusSeeOther)
		if tags, _ := models.TagNamesByContact(db, []uint64{c.ID}); strings.Join(tags[c.ID], ",") != "A,B,C" {
			t.Fatalf("tags = %v", tags[c.ID])
		}
		wantStatus(t, b.post("/contacts/"+id+"/delete", set("confirm", "delete")), http.StatusSeeOther)
		if _, err := models.FindContact(db, ch.ID, "user-001"); err != nil {
			t.Fatal("deleted without typing DELETE")
		}
		wantStatus(t, b.post("/contacts/"+id+"/delete", set("confirm", "DELETE")), http.StatusSeeOther)
		if _, err := models.FindContact(db, ch.ID, "user-001"); err != models.ErrNotFound {
			t.Fatal("not deleted")
		}
	})
}

func TestInstagramCannotBroadcastButCanTag(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("instagram", "")
		app.seedContacts(ch, 4)
		b := app.browser()
		b.signIn("mei@example.com")
		p := b.get("/contacts?kind=instagram")
		if _, disabled := p.doc.Find(`[data-testid="broadcast"]`).Attr("disabled"); !disabled {
			t.Fatal("Broadcast is not disabled for Instagram")
		}
		if !strings.Contains(p.text(`[data-testid="no-broadcast-note"]`), "Instagram does not allow broadcasts") {
			t.Fatal("no explanation")
		}
		filter, _ := p.doc.Find(`[data-testid="tag-form"] input[name="filter"]`).Attr("value")
		res := b.post("/audiences", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}, "all": {"1"}})
		if res.status != http.StatusSeeOther || strings.Contains(res.location(), "broadcasts") {
			t.Fatalf("Instagram audience accepted: %d %s", res.status, res.location())
		}
		b.post("/contacts/tags", url.Values{"channel": {itoa(ch.ID)}, "filter": {filter}, "all": {"1"}, "tags": {"IG"}, "mode": {"add"}})
		if n := matchCount(t, b, b.get("/contacts?kind=instagram&tags_any=IG")); n != 4 {
			t.Fatalf("tagged Instagram contacts = %d", n)
		}
	})
}

func TestTagsPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		ch := app.channel("line", "http://127.0.0.1:1")
		app.seedContacts(ch, 12)
		b := app.browser()
		b.signIn("mei@example.com")
		p := b.get("/tags?sort=count")
		rows := p.doc.Find(`[data-testid="tag-row"]`)
		if rows.Length() != 2 {
			t.Fatalf("tag rows = %d", rows.Length())
		}
		if name, _ := rows.First().Attr("data-tag"); name != "VIP" {
			t.Fatalf("most used first: %q", name)
		}
		if v, _ := rows.First().Find(`[data-testid="tag-count"]`).Attr("data-count"); v != "4" {
			t.Fatalf("VIP count = %s", v)
		}
		var vip models.Tag
		db.Where("name = ?", "VIP").First(&vip)
		wantStatus(t, b.post("/tags/"+itoa(vip.ID)+"/rename", url.Values{"name": {"貴賓"}}), http.StatusSeeOther)
		wantStatus(t, b.post("/tags/"+itoa(vip.ID)+"/rename", url.Values{"name": {"台北"}}), http.StatusSeeOther)
		if msg := b.get("/tags").doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(msg, "already exists") {
			t.Fatalf("duplicate rename message = %q", msg)
		}
		wantStatus(t, b.post("/tags", url.Values{"name": {"a,b"}}), http.StatusUnprocessableEntity)
		wantStatus(t, b.post("/tags/"+itoa(vip.ID)+"/delete", url.Values{}), http.StatusSeeOther)
		var links int64
		db.Model(&models.ContactTag{}).Where("tag_id = ?", vip.ID).Count(&links)
		if links != 0 {
			t.Fatal("links of a deleted tag remain")
		}
	})
}
