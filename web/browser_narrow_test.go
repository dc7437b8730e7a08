package web

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserNarrowScreen: on a 390 px phone screen the navigation folds
// into a Menu button that opens and closes from the keyboard, the contact
// table scrolls inside its box (not the page), and the selection bar never
// covers a row: not the last one at the end of the list, not a row that
// keyboard focus scrolls to. The bar is checked at 1440 px too, where it
// sticks below the top bar.
func TestBrowserNarrowScreen(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	ch := app.channel("messenger", "")
	app.seedContacts(ch, 60)
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	visible := func(sel string) string {
		return `(function(){var e=document.querySelector(` + strconv.Quote(sel) + `);return !!e && e.offsetParent !== null && e.getBoundingClientRect().height > 0})()`
	}
	var ok bool
	var state string
	run("sign in on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="contact-row"]`),
	)

	// The menu.
	run("the navigation is folded", chromedp.Evaluate(visible(`nav a[data-nav="contacts"]`), &ok))
	if ok {
		t.Fatal("at 390 px the navigation links show; they should fold into the Menu button")
	}
	run("the Menu button shows", chromedp.Evaluate(visible(`[data-testid="nav-toggle"]`), &ok))
	if !ok {
		t.Fatal("no Menu button at 390 px")
	}
	run("open it with the keyboard",
		chromedp.Focus(`[data-testid="nav-toggle"]`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.Evaluate(visible(`nav a[data-nav="broadcasts"]`), &ok),
		chromedp.AttributeValue(`[data-testid="nav-toggle"]`, "aria-expanded", &state, nil),
	)
	if !ok || state != "true" {
		t.Fatalf("Enter on the Menu button: links visible %v, aria-expanded %q", ok, state)
	}
	screenshot(ctx, t, "narrow-menu-open")
	run("Tab reaches the links; Escape closes and returns to the button",
		chromedp.KeyEvent(kb.Tab),
		chromedp.Evaluate(`document.activeElement.closest("#main-nav") !== null`, &ok),
	)
	if !ok {
		t.Fatal("Tab after opening the menu does not reach its links")
	}
	run("Escape", chromedp.KeyEvent(kb.Escape),
		chromedp.Evaluate(visible(`nav a[data-nav="broadcasts"]`)+` === false && document.activeElement.matches("[data-testid=nav-toggle]")`, &ok))
	if !ok {
		t.Fatal("Escape should close the menu and focus the Menu button")
	}
	var title string
	run("a link from the opened menu",
		chromedp.Click(`[data-testid="nav-toggle"]`),
		chromedp.WaitVisible(`nav a[data-nav="broadcasts"]`),
		chromedp.Click(`nav a[data-nav="broadcasts"]`),
		chromedp.WaitReady(`nav a.active[data-nav="broadcasts"]`),
		chromedp.Text(`[data-testid="page-title"]`, &title),
	)
	if title != "推播訊息" {
		t.Fatalf("the menu link led to %q", title)
	}

	// The table scrolls in its box; the page does not.
	var pageWide, boxScrolls bool
	var scrolled float64
	run("the table scrolls inside its box",
		chromedp.Navigate(app.http.URL+"/contacts"),
		chromedp.WaitVisible(`[data-testid="contact-row"]`),
		chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &pageWide),
		chromedp.Evaluate(`(function(){var b=document.querySelector('[data-testid="table-scroll"]');return b.scrollWidth > b.clientWidth && getComputedStyle(b).overflowX === "auto"})()`, &boxScrolls),
		chromedp.Evaluate(`(function(){var b=document.querySelector('[data-testid="table-scroll"]');b.scrollLeft=120;var n=b.scrollLeft;b.scrollLeft=0;return n})()`, &scrolled),
	)
	if pageWide {
		t.Error("the page is wider than the 390 px screen")
	}
	if !boxScrolls || scrolled <= 0 {
		t.Errorf("the contact table does not scroll inside its box (scrollable %v, scrolled %v)", boxScrolls, scrolled)
	}

	// At 390 px the bar scrolls with the page: at no scroll position does
	// it lie over a row.
	run("back to the top", chromedp.Evaluate(`window.scrollTo(0, 0)`, nil))
	for _, at := range []float64{0, 0.25, 0.5, 0.75, 1} {
		var under string
		run("scroll",
			chromedp.Evaluate(`window.scrollTo(0, `+strconv.FormatFloat(at, 'f', 2, 64)+` * (document.documentElement.scrollHeight - window.innerHeight))`, nil),
			chromedp.Sleep(100e6),
			chromedp.Evaluate(rowsUnderBarJS, &under),
		)
		if under != "" {
			t.Errorf("390 px, scrolled to %.0f%%: the selection bar covers %s", at*100, under)
		}
	}
	var covered string
	run("the last row at the end of the list",
		chromedp.Evaluate(`window.scrollTo(0, document.documentElement.scrollHeight)`, nil),
		chromedp.Sleep(100e6),
		chromedp.Evaluate(coveredRowJS(`[data-testid="contact-row"]:last-of-type`), &covered),
	)
	if covered != "" {
		t.Errorf("390 px, scrolled to the end: the last row %s", covered)
	}
	screenshot(ctx, t, "narrow-bottom")

	// At 1440 px the bar sticks below the top bar; a row scrolled into view
	// (as keyboard focus or a link does, nearest edge first) lands below it.
	run("wide: the last row at the end",
		chromedp.EmulateViewport(1440, 844),
		chromedp.Navigate(app.http.URL+"/contacts"),
		chromedp.WaitVisible(`[data-testid="contact-row"]`),
		chromedp.Evaluate(`window.scrollTo(0, document.documentElement.scrollHeight)`, nil),
		chromedp.Sleep(100e6),
		chromedp.Evaluate(coveredRowJS(`[data-testid="contact-row"]:last-of-type`), &covered),
	)
	if covered != "" {
		t.Errorf("1440 px, scrolled to the end: the last row %s", covered)
	}
	run("wide: a row scrolled into view from below",
		chromedp.Evaluate(`document.querySelector('[data-testid="contact-row"]:nth-of-type(5)').scrollIntoView({block: "nearest"})`, nil),
		chromedp.Sleep(100e6),
		chromedp.Evaluate(coveredRowJS(`[data-testid="contact-row"]:nth-of-type(5)`), &covered),
	)
	if covered != "" {
		t.Errorf("1440 px, a row scrolled into view %s", covered)
	}
	screenshot(ctx, t, "wide-scrolled-into-view")
}

// rowsUnderBarJS lists the rows the selection bar lies over ("" for none).
const rowsUnderBarJS = `(function(){
  var b = document.querySelector("[data-selection-bar]").getBoundingClientRect(), out = [];
  if (b.bottom <= 0 || b.top >= window.innerHeight) return "";
  document.querySelectorAll('[data-testid="contact-row"]').forEach(function (r) {
    var rr = r.getBoundingClientRect();
    if (rr.bottom > b.top + 0.5 && rr.top < b.bottom - 0.5) out.push(r.querySelector(".name-col").textContent.trim());
  });
  return out.join(", ");
})()`

// coveredRowJS says how the row's checkbox is hidden: off screen, or under
// another element (the selection bar, the top bar); "" when it shows.
func coveredRowJS(row string) string {
	return `(function(){
  var box = document.querySelector(` + strconv.Quote(row+` input.sel`) + `).getBoundingClientRect();
  var x = box.left + box.width / 2, y = box.top + box.height / 2;
  if (y < 0 || y > window.innerHeight || x < 0 || x > window.innerWidth) return "is off screen at " + Math.round(x) + "," + Math.round(y);
  var hit = document.elementFromPoint(x, y);
  if (!hit || hit.closest("tr") !== document.querySelector(` + strconv.Quote(row) + `)) {
    var over = hit && (hit.closest("[data-selection-bar]") ? "the selection bar" : hit.closest(".topbar") ? "the top bar" : hit.tagName + "." + hit.className);
    return "is covered by " + over;
  }
  return "";
})()`
}
