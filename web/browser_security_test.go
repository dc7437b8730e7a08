package web

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserRemoteSetupAsksForTheCode: a visitor reaching the set-up page
// through a proxy, from another machine, is asked for the set-up code, is
// told when it is wrong (keeping what was typed), and with the right code
// lands signed in.
func TestBrowserRemoteSetupAsksForTheCode(t *testing.T) {
	ctx := newBrowserContext(t)
	db := dbtest.SQLite(t)
	app := newTestAppWith(t, db, func(c *Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	code, err := models.SetupCode(db)
	if err != nil {
		t.Fatal(err)
	}
	var fieldErr, name, h1 string
	err = chromedp.Run(ctx,
		network.Enable(),
		network.SetExtraHTTPHeaders(network.Headers{"X-Forwarded-For": "203.0.113.9"}),
		chromedp.Navigate(app.http.URL+"/setup"),
		chromedp.WaitVisible(`#setup_code`),
	)
	if err != nil {
		t.Fatalf("open set-up: %v", err)
	}
	screenshot(ctx, t, "security-01-setup-code-zh")
	err = chromedp.Run(ctx,
		chromedp.SendKeys("#setup_code", "0000-0000-0000"),
		chromedp.SendKeys("#name", "陳怡君"),
		chromedp.SendKeys("#email", "admin@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="setup-form"]`),
		chromedp.WaitVisible(`[data-testid="error-setup_code"]`),
		chromedp.Text(`[data-testid="error-setup_code"]`, &fieldErr),
		chromedp.Value(`#name`, &name),
	)
	if err != nil {
		t.Fatalf("wrong code: %v", err)
	}
	screenshot(ctx, t, "security-02-setup-code-wrong-zh")
	if !strings.Contains(fieldErr, "設定碼不正確") || name != "陳怡君" {
		t.Fatalf("wrong code: message %q, name kept %q", fieldErr, name)
	}
	err = chromedp.Run(ctx,
		chromedp.SetValue("#setup_code", code),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="setup-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Text(`[data-testid="page-title"]`, &h1),
	)
	if err != nil {
		t.Fatalf("right code: %v", err)
	}
	if h1 != "聯絡人" {
		t.Fatalf("after set-up the title is %q", h1)
	}
}
