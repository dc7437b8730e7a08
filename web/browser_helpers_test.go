package web

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/web/browsertest"
)

// newBrowserContext starts headless chromium for a browser test, for at
// most 90 s.
func newBrowserContext(t *testing.T) context.Context {
	t.Helper()
	return browsertest.New(t, 90*time.Second)
}

// screenshot saves a PNG of the page when OMNICAST_SCREENSHOTS names a
// directory, so people can look at what the test saw.
func screenshot(ctx context.Context, t *testing.T, name string) {
	dir := os.Getenv("OMNICAST_SCREENSHOTS")
	if dir == "" {
		return
	}
	var png []byte
	// From the top: a full-page capture of a scrolled page draws the
	// sticky top bar where the scroll left it, over the content.
	var scroll [2]float64
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`[window.scrollX, window.scrollY]`, &scroll),
		chromedp.Evaluate(`window.scrollTo(0, 0)`, nil),
		chromedp.FullScreenshot(&png, 100),
		chromedp.Evaluate(fmt.Sprintf(`window.scrollTo(%f, %f)`, scroll[0], scroll[1]), nil),
	); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(dir+"/"+name+".png", png, 0o644)
}

// screen is one page a screens test opens: its name (for the screenshot),
// its path and what to wait for.
type screen struct{ name, path, ready string }

// screenCheck is a script that names what is wrong on a screen ("" when
// nothing), and the words for it in the test's error.
type screenCheck struct{ js, what string }

// pageWider names a page wider than its window.
var pageWider = screenCheck{`document.documentElement.scrollWidth > window.innerWidth ? "page is "+document.documentElement.scrollWidth+" px wide" : ""`,
	"wider than the window"}

// untranslatedCheck names message ids of the given catalogue prefixes
// shown as text (and, with titles, in tooltips): a key with no message
// in the page's language shows as itself.
func untranslatedCheck(prefixes string, titles bool) screenCheck {
	js := `(function () {
  var re = /\b(` + prefixes + `)\.[a-z_]+(\.[a-z_]+)*\b/g;
  var text = document.body.innerText;`
	if titles {
		js += `
  document.querySelectorAll("[title]").forEach(function (el) { text += "\n" + el.getAttribute("title"); });`
	}
	js += `
  var found = (text.match(re) || []).filter(function (m) { return !/\.(com|tw|png|jpe?g)$/.test(m); });
  return found.join(", ");
})()`
	return screenCheck{js, "untranslated message ids on the page"}
}

// checkScreens opens each screen in each language (set on user) at 1280
// and 390 px, runs the checks and saves a screenshot of each.
func checkScreens(ctx context.Context, t *testing.T, db *gorm.DB, user uint, base string, screens []screen, checks ...screenCheck) {
	t.Helper()
	for _, lang := range []string{"zh-TW", "en"} {
		if err := models.SetUserLocale(db, user, lang); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int64{1280, 390} {
			for _, sc := range screens {
				name := fmt.Sprintf("%s-%s-%d", sc.name, lang, width)
				found := make([]string, len(checks))
				actions := []chromedp.Action{
					chromedp.EmulateViewport(width, 900),
					chromedp.Navigate(base + sc.path),
					chromedp.WaitVisible(sc.ready),
					chromedp.Sleep(150 * time.Millisecond),
				}
				for i, c := range checks {
					actions = append(actions, chromedp.Evaluate(c.js, &found[i]))
				}
				if err := chromedp.Run(ctx, actions...); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				screenshot(ctx, t, name)
				for i, f := range found {
					if f != "" {
						t.Errorf("%s at %d px: %s: %s", name, width, checks[i].what, f)
					}
				}
			}
		}
	}
}
