package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"omnicast/models/dbtest"
)

// TestBrowserFirstRunJourney drives a real chromium through the first
// visit: set-up, sign-in, every menu entry, the language switch, sign-out.
func TestBrowserFirstRunJourney(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	base := app.http.URL

	var h1, loc string
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	run("open fresh server",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`[data-testid="setup-form"]`),
		chromedp.Location(&loc),
	)
	if !strings.HasSuffix(loc, "/setup") {
		t.Fatalf("fresh server landed on %s, want /setup", loc)
	}
	screenshot(ctx, t, "01-setup")
	run("fill set-up",
		chromedp.SendKeys("#name", "陳怡君"),
		chromedp.SendKeys("#email", "admin@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="setup-form"]`),
		// The new admin is signed in at once.
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Text(`[data-testid="page-title"]`, &h1),
	)
	if h1 != "聯絡人" {
		t.Fatalf("after set-up the title is %q, want 聯絡人 (zh-TW default)", h1)
	}
	screenshot(ctx, t, "02-after-setup")

	wantTitles := map[string]string{
		"contacts": "聯絡人", "broadcasts": "推播訊息", "bots": "機器人模組",
		"channels": "渠道", "users": "使用者", "settings": "設定",
	}
	for _, key := range []string{"contacts", "broadcasts", "bots", "channels", "users", "settings"} {
		run("open menu "+key,
			chromedp.Click(`nav a[data-nav="`+key+`"]`),
			chromedp.WaitVisible(`nav a.active[data-nav="`+key+`"]`),
			chromedp.Text(`[data-testid="page-title"]`, &h1),
		)
		if h1 != wantTitles[key] {
			t.Errorf("menu %s shows title %q, want %q", key, h1, wantTitles[key])
		}
	}
	screenshot(ctx, t, "03-settings-zh")

	run("switch language to English",
		chromedp.Click(`[data-testid="user-menu"] summary`),
		chromedp.WaitVisible(`[data-testid="locale-select"]`),
		// Choosing the option submits its form (data-autosubmit); do what
		// that does, submitting after the script returns, so no script
		// runs across the navigation.
		chromedp.Evaluate(`(() => { const s = document.querySelector('[data-testid="locale-select"]'); s.value = "en"; setTimeout(() => s.form.submit(), 0); })()`, nil),
		waitLang("en"),
		chromedp.WaitVisible(`nav a[data-nav="contacts"]`),
		chromedp.Text(`[data-testid="page-title"]`, &h1),
	)
	if h1 != "Settings" {
		t.Fatalf("after switching to English the page title is %q, want Settings", h1)
	}
	screenshot(ctx, t, "04-settings-en")

	var flash string
	run("sign out",
		chromedp.Click(`[data-testid="user-menu"] summary`),
		chromedp.WaitVisible(`[data-testid="sign-out"]`),
		chromedp.Click(`[data-testid="sign-out"]`),
		chromedp.WaitVisible(`[data-testid="login-form"]`),
		chromedp.Text(`[data-testid="flash"] span`, &flash),
		chromedp.Location(&loc),
	)
	if !strings.HasSuffix(loc, "/login") || flash == "" {
		t.Fatalf("after sign-out: %s, flash %q", loc, flash)
	}
	screenshot(ctx, t, "05-login")
	run("sign in again",
		chromedp.SendKeys("#email", "admin@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Text(`[data-testid="page-title"]`, &h1),
	)
	if h1 != "Contacts" {
		t.Fatalf("after signing in again the title is %q, want Contacts (the saved language)", h1)
	}
	run("sign out again",
		chromedp.Click(`[data-testid="user-menu"] summary`),
		chromedp.WaitVisible(`[data-testid="sign-out"]`),
		chromedp.Click(`[data-testid="sign-out"]`),
		chromedp.WaitVisible(`[data-testid="login-form"]`),
	)
	run("signed-out visitor is sent to sign in",
		chromedp.Navigate(base+"/users"),
		chromedp.WaitVisible(`[data-testid="login-form"]`),
	)
}

// waitLang waits until the page in the tab is in lang, asking from Go
// again and again: a script that waits in the page would be cut off by
// the navigation that brings the new language.
func waitLang(lang string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var got string
			if err := chromedp.Evaluate(`document.documentElement.lang`, &got).Do(ctx); err == nil && got == lang {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("page never switched to %q: %w", lang, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}
