package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserTokenCreatedShowsSecretOnce: an admin creates a token on the
// page, sees the secret with a copy button (fitting a phone's width), and
// after reloading sees only its prefix.
func TestBrowserTokenCreatedShowsSecretOnce(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("admin@example.com", models.RoleAdmin)
	var secret, overflow, after string
	err := chromedp.Run(ctx,
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "admin@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Navigate(app.http.URL+"/settings"),
		chromedp.Click(`[data-testid="tokens-link"]`),
		chromedp.WaitVisible(`[data-testid="add-token-form"]`),
		chromedp.SendKeys(`#name`, "CRM 同步"),
		chromedp.Submit(`[data-testid="add-token-form"]`),
		chromedp.WaitVisible(`[data-testid="token-secret"]`),
		chromedp.Text(`[data-testid="token-secret"]`, &secret),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strings.TrimSpace(secret), "oc_") {
		t.Fatalf("secret shown: %q", secret)
	}
	screenshot(ctx, t, "tokens-created-zh-TW-1280")
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 900),
		chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth ? "page is "+document.documentElement.scrollWidth+" px wide" : ""`, &overflow),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(ctx, t, "tokens-created-zh-TW-390")
	if overflow != "" {
		t.Errorf("created token at 390 px: %s", overflow)
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(app.http.URL+"/settings/tokens"),
		chromedp.WaitVisible(`[data-testid="tokens-table"]`),
		chromedp.Evaluate(`document.body.innerText`, &after),
	)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(after, strings.TrimSpace(secret)) || !strings.Contains(after, strings.TrimSpace(secret)[:11]) {
		t.Fatalf("after reload the secret is shown, or its prefix is not")
	}
}
