// Package browsertest starts the headless Chromium that omnicast's
// browser tests drive (web's pages, and cmd's whole-process demo walk).
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// New starts headless Debian chromium (OMNICAST_CHROMIUM, default
// /usr/bin/chromium) in Traditional Chinese at 1280×900, for at most
// within. It skips the test when chromium is absent, except under
// CI=true where it fails.
func New(t testing.TB, within time.Duration) context.Context {
	t.Helper()
	path := os.Getenv("OMNICAST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found at %s, and CI=true forbids skipping browser tests", path)
		}
		t.Skipf("chromium not found at %s: browser test skipped (CI=true would fail here)", path)
	}
	// Not t.TempDir: chromium's helper processes may still write to the
	// profile for a moment after the browser exits, which fails its check.
	profile, err := os.MkdirTemp("", "omnicast-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("accept-lang", "zh-TW,zh"),
		chromedp.Flag("lang", "zh-TW"),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, within)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}
