package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserBotBuilder: a marketer makes a button card in chromium; the
// live preview follows the typing (htmx) and says at once that 161
// characters do not fit LINE; the saved module lists its fit badges.
func TestBrowserBotBuilder(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mkt@example.com", models.RoleMarketer)

	var bubble, lineFits, misfit string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "mkt@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Navigate(app.http.URL+"/bots"),
		chromedp.Click(`[data-testid="add-module"]`),
		chromedp.Click(`a[data-kind="button_card"]`),
		chromedp.WaitVisible(`[data-testid="bot-form"]`),
		chromedp.SendKeys("#name", "新品通知"),
		chromedp.SendKeys(`input[name="buttons[0].title"]`, "看新品"),
		chromedp.SendKeys(`input[name="buttons[0].url"]`, "https://shop.example.com/new"),
		chromedp.SendKeys("#text", strings.Repeat("字", 161)),
		chromedp.Poll(`document.querySelector('[data-testid="preview-line"] .bubble-text')?.textContent.length === 161`, nil,
			chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.Text(`[data-testid="preview-line"] .bubble-button`, &bubble),
		chromedp.AttributeValue(`#bot-preview .bot-fit[data-kind="line"]`, "data-fits", &lineFits, nil),
		chromedp.Text(`#bot-preview .bot-fit[data-kind="line"] .fit-reasons`, &misfit),
	)
	if err != nil {
		t.Fatalf("bot builder journey: %v", err)
	}
	screenshot(ctx, t, "bots-editor-1280")
	if bubble != "看新品" || lineFits != "false" || !strings.Contains(misfit, "160") {
		t.Errorf("preview: button %q, LINE fits %q, reason %q", bubble, lineFits, misfit)
	}

	var rows int
	err = chromedp.Run(ctx,
		chromedp.Submit(`[data-testid="bot-form"]`),
		chromedp.WaitVisible(`[data-testid="bot-row"]`),
		chromedp.Evaluate(`document.querySelectorAll('[data-testid="bot-row"]').length`, &rows),
		chromedp.AttributeValue(`.bot-fit[data-kind="messenger"]`, "data-fits", &lineFits, nil),
	)
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	screenshot(ctx, t, "bots-list-1280")
	if rows != 1 || lineFits != "true" {
		t.Errorf("list: %d rows, Messenger fits %q", rows, lineFits)
	}
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(app.http.URL+"/bots/new?kind=carousel"),
		chromedp.WaitVisible(`[data-testid="bot-form"]`)); err != nil {
		t.Fatal(err)
	}
	screenshot(ctx, t, "bots-carousel-390")
}
