package web

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserFilterSelectAllAndTag: open the filter panel, filter by tag
// and interaction time, select all matching, add a tag, and see it on the
// rows and in the count of the tag filter.
func TestBrowserFilterSelectAllAndTag(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.clock.Set(time.Now().UTC()) // the browser's "last 7 days" is relative to real time
	app.addUser("mei@example.com", models.RoleMarketer)
	ch := app.channel("messenger", "")
	app.seedContacts(ch, 300) // interactions 1..300 hours ago; VIP every third

	// VIP, subscribed (not every tenth), interacted within 7 days (i <= 168).
	want := 0
	for i := 1; i <= 168; i++ {
		if i%3 == 0 && i%10 != 0 {
			want++
		}
	}

	var count, selected, chips string
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("sign in",
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="match-count"]`),
	)
	run("open filter panel and filter",
		chromedp.Click(`[data-testid="open-filter"]`),
		chromedp.WaitVisible(`[data-testid="filter-panel"]`),
		chromedp.SetValue(`select[name="interacted_preset"]`, "7d"),
		chromedp.SendKeys(`#tags_any`, "VIP"),
		chromedp.Click(`[data-testid="apply-filter"]`),
		chromedp.WaitVisible(`[data-testid="conditions"]`),
		chromedp.Poll(`(document.querySelector('[data-testid="match-count"]') || {dataset: {}}).dataset.count === "`+strconv.Itoa(want)+`"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.AttributeValue(`[data-testid="match-count"]`, "data-count", &count, nil),
		chromedp.Text(`[data-testid="conditions"]`, &chips),
	)
	if count != strconv.Itoa(want) || !strings.Contains(chips, "VIP") {
		t.Fatalf("filtered count %s (want %d), conditions %q", count, want, chips)
	}
	var loc string
	run("URL carries the filter", chromedp.Location(&loc))
	if !strings.Contains(loc, "tags_any=VIP") || !strings.Contains(loc, "interacted_within=7d") {
		t.Fatalf("URL does not carry the filter: %s", loc)
	}
	screenshot(ctx, t, "06-contacts-filtered")

	var before string
	run("Back returns to the unfiltered list, Forward to the filter",
		chromedp.NavigateBack(),
		chromedp.Poll(`(document.querySelector('[data-testid="match-count"]') || {dataset: {}}).dataset.count !== "`+strconv.Itoa(want)+`"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.AttributeValue(`[data-testid="match-count"]`, "data-count", &before, nil),
		chromedp.NavigateForward(),
		chromedp.Poll(`(document.querySelector('[data-testid="match-count"]') || {dataset: {}}).dataset.count === "`+strconv.Itoa(want)+`"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if before != "270" {
		t.Fatalf("after Back the count is %s, want the unfiltered 270", before)
	}

	run("select all matching and tag",
		chromedp.Click(`[data-testid="select-all-matching"]`),
		chromedp.Text(`[data-testid="selected-count"]`, &selected),
		chromedp.SendKeys(`[data-testid="tag-input"]`, "春季活動"),
		chromedp.Click(`[data-testid="add-tags"]`),
		chromedp.WaitVisible(`[data-testid="flash"]`),
	)
	if !strings.Contains(selected, strconv.Itoa(want)) {
		t.Fatalf("selection label = %q", selected)
	}
	var rowTags string
	run("tag shows on the rows", chromedp.Text(`[data-testid="contact-row"] [data-testid="row-tags"]`, &rowTags))
	if !strings.Contains(rowTags, "春季活動") {
		t.Fatalf("first row tags = %q", rowTags)
	}
	run("the tag filter counts the tagged contacts",
		chromedp.Navigate(app.http.URL+"/contacts?channel="+itoa(ch.ID)+"&tags_any=%E6%98%A5%E5%AD%A3%E6%B4%BB%E5%8B%95"),
		chromedp.WaitVisible(`[data-testid="match-count"]`),
		chromedp.AttributeValue(`[data-testid="match-count"]`, "data-count", &count, nil),
	)
	if count != strconv.Itoa(want) {
		t.Fatalf("tag filter count = %s, want %d", count, want)
	}
	screenshot(ctx, t, "07-contacts-tagged")
}

// TestBrowserInvalidFilterKeepsResults: an invalid value marks its field,
// keeps what was typed, and leaves the last valid results (rows and exact
// count) on the page; correcting it filters again and clears the mark.
func TestBrowserInvalidFilterKeepsResults(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.clock.Set(time.Now().UTC())
	app.addUser("mei@example.com", models.RoleMarketer)
	ch := app.channel("messenger", "")
	app.seedContacts(ch, 60) // VIP every third, every tenth unsubscribed: 18 subscribed VIPs
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	countIs := func(n string) chromedp.Action {
		return chromedp.Poll(`(document.querySelector('[data-testid="match-count"]') || {dataset: {}}).dataset.count === "`+n+`"`, nil, chromedp.WithPollingTimeout(10*time.Second))
	}
	var rows int
	var typed, msg, loc string
	run("sign in and filter by VIP",
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="match-count"]`),
		chromedp.Click(`[data-testid="open-filter"]`),
		chromedp.SendKeys(`#tags_any`, "VIP"),
		chromedp.Click(`[data-testid="apply-filter"]`),
		countIs("18"),
	)
	// A tag name over 100 characters is not a tag name.
	long := strings.Repeat("x", 101)
	run("an invalid tag list",
		chromedp.SendKeys(`#tags_any`, ","+long),
		chromedp.Click(`[data-testid="apply-filter"]`),
		chromedp.WaitVisible(`[data-field="tags_any"].invalid`),
		chromedp.Text(`[data-testid="filter-errors"]`, &msg),
		chromedp.Value(`#tags_any`, &typed),
		chromedp.Evaluate(`document.querySelectorAll('[data-testid="contact-row"]').length`, &rows),
		chromedp.Location(&loc),
		countIs("18"),
	)
	screenshot(ctx, t, "08-contacts-invalid-filter")
	if rows != 18 || typed != "VIP,"+long || !strings.Contains(msg, "標籤名稱") || strings.Contains(loc, "xxx") {
		t.Fatalf("rows %d, typed %q, message %q, URL %s", rows, typed, msg, loc)
	}
	var marked int
	run("corrected, it filters again",
		chromedp.SetValue(`#tags_any`, "台北"),
		chromedp.Click(`[data-testid="apply-filter"]`),
		countIs("12"),
		chromedp.Evaluate(`document.querySelectorAll('#filter-form .invalid, [data-testid="filter-errors"]').length`, &marked),
	)
	if marked != 0 {
		t.Fatalf("%d error marks remain after a valid filter", marked)
	}
}

// TestBrowserPagingKeepsTheCount: the count arrives once per filter;
// turning pages keeps it (no second count request), a new filter counts
// again.
func TestBrowserPagingKeepsTheCount(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.clock.Set(time.Now().UTC())
	app.addUser("mei@example.com", models.RoleMarketer)
	ch := app.channel("messenger", "")
	app.seedContacts(ch, 120) // 108 subscribed, all named 客戶 …
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	var mark, first, second string
	run("a filtered list and its count",
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="match-count"]`),
		chromedp.Navigate(app.http.URL+"/contacts?channel="+itoa(ch.ID)+"&q=%E5%AE%A2%E6%88%B6"),
		chromedp.WaitVisible(`[data-testid="match-count"]`),
		chromedp.Evaluate(`document.querySelector('[data-testid="match-count"]').dataset.mark = "seen"`, nil),
		chromedp.Text(`[data-testid="contact-row"] .name-col`, &first),
		chromedp.Click(`[data-testid="next-page"]`),
		chromedp.WaitVisible(`[data-testid="prev-page"]`),
		chromedp.Text(`[data-testid="contact-row"] .name-col`, &second),
		chromedp.Evaluate(`(document.querySelector('[data-testid="match-count"]') || {dataset: {}}).dataset.mark || ""`, &mark),
	)
	if first == second || mark != "seen" {
		t.Fatalf("page 2 starts with %q (page 1 %q); count element kept: %q", second, first, mark)
	}
	var count string
	run("another filter counts again",
		chromedp.Navigate(app.http.URL+"/contacts?channel="+itoa(ch.ID)+"&q=%E5%AE%A2%E6%88%B6&tags_any=VIP"),
		chromedp.WaitVisible(`[data-testid="match-count"]`),
		chromedp.AttributeValue(`[data-testid="match-count"]`, "data-count", &count, nil),
	)
	if count != "36" {
		t.Fatalf("VIP count %s, want 36", count)
	}
}
