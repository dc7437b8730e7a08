package main

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"omnicast/web/browsertest"
)

// newBrowserContext starts headless chromium for a browser test of a
// whole omnicast process; within bounds the whole run.
func newBrowserContext(t *testing.T, within time.Duration) context.Context {
	t.Helper()
	return browsertest.New(t, within)
}

// screenshot saves a PNG of the window when OMNICAST_SCREENSHOTS names a
// directory, so people can look at what the test saw (what a user sees
// without scrolling: the window, not the whole page).
func screenshot(ctx context.Context, t *testing.T, name string) {
	dir := os.Getenv("OMNICAST_SCREENSHOTS")
	if dir == "" {
		return
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.CaptureScreenshot(&png)); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(fmt.Sprintf("%s/%s.png", dir, name), png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
