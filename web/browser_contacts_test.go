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
		chromedp.Poll(`document.querySelector('[data-testid="match-count"]').dataset.count === "`+strconv.Itoa(want)+`"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
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
		chromedp.Poll(`document.querySelector('[data-testid="match-count"]').dataset.count !== "`+strconv.Itoa(want)+`"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.AttributeValue(`[data-testid="match-count"]`, "data-count", &before, nil),
		chromedp.NavigateForward(),
		chromedp.Poll(`document.querySelector('[data-testid="match-count"]').dataset.count === "`+strconv.Itoa(want)+`"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
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
