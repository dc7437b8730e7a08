package web

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
