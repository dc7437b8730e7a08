package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowserContext starts headless Debian chromium for a browser test. It
// skips when chromium is absent, except under CI=true where it fails.
func newBrowserContext(t *testing.T) context.Context {
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
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
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
