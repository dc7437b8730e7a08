package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserComposeLINEBroadcast composes a LINE broadcast as staff do:
// a text with the contact-name parameter (shown as a chip, stored as
// {{name}}, counted in UTF-16 units, filled in the live preview), sees
// why a bot card cannot join it, adds and removes a message, goes to the
// confirmation, sees the numbers and confirms. Screens in both languages
// at 1280 and 390 px.
func TestBrowserComposeLINEBroadcast(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	quota := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/consumption") {
			fmt.Fprint(w, `{"totalUsage":1234}`)
			return
		}
		fmt.Fprint(w, `{"type":"limited","value":6000}`)
	}))
	t.Cleanup(quota.Close)
	ch := app.channel(channels.KindLINE, quota.URL)
	app.seedContacts(ch, 30)
	a, err := models.SaveAudience(app.db, models.ContactFilter{ChannelID: ch.ID}, nil, true, 1, app.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	base := app.http.URL
	composer := fmt.Sprintf("/broadcasts/new?audience=%d", a.ID)
	run("sign in and open the composer",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Navigate(base+composer),
		chromedp.WaitVisible(`[data-testid="message-text-box"]`),
	)
	run("write a subject and a text with the name parameter",
		chromedp.SendKeys("#subject", "週年慶"),
		chromedp.Click(`[data-testid="message-text-box"]`),
		chromedp.SendKeys(`[data-testid="message-text-box"]`, "您好 "),
		chromedp.Click(`[data-testid="insert-name"]`),
		chromedp.SendKeys(`[data-testid="message-text-box"]`, "，週年慶開跑 🎉"),
		chromedp.WaitVisible(`[data-testid="message-text-box"] .name-chip`),
		chromedp.WaitVisible(`[data-testid="preview-name"]`),
	)
	var stored, count, previewName string
	run("read what is stored",
		chromedp.Evaluate(`document.querySelector('textarea[name="m_text"]').value`, &stored),
		chromedp.AttributeValue(`[data-testid="text-counter"]`, "data-count", &count, nil),
		chromedp.Text(`[data-testid="preview-name"]`, &previewName),
	)
	if stored != "您好 {{name}}，週年慶開跑 🎉" {
		t.Fatalf("the text is stored as %q", stored)
	}
	if want := fmt.Sprint(channels.UTF16Len(stored)); count != want {
		t.Fatalf("counter %s, want %s (UTF-16 units)", count, want)
	}
	if previewName == "" || previewName == "{{name}}" {
		t.Fatalf("the preview shows %q for the name", previewName)
	}

	// A bot card cannot join a text: the button is disabled and says why.
	var disabled bool
	var title, reason string
	run("see why a bot card is refused",
		chromedp.Evaluate(`document.querySelector('[data-testid="add-bot-card"]').disabled`, &disabled),
		chromedp.AttributeValue(`[data-testid="add-bot-card"]`, "title", &title, nil),
		chromedp.Text(`[data-testid="add-bot-card-reason"]`, &reason),
	)
	if !disabled || title == "" || reason != title {
		t.Fatalf("add-bot-card: disabled %v, title %q, beside %q", disabled, title, reason)
	}
	screenshot(ctx, t, "compose-line-zh-1280")
	run("add a second text, then remove it (what was typed stays)",
		chromedp.Click(`[data-testid="add-text"]`),
		chromedp.WaitVisible(`[data-testid="message"][data-index="1"]`),
		chromedp.Click(`[data-testid="message"][data-index="1"] [data-testid="remove"]`),
		chromedp.WaitNotPresent(`[data-testid="message"][data-index="1"]`),
		chromedp.Evaluate(`document.querySelector('textarea[name="m_text"]').value`, &stored),
	)
	if !strings.Contains(stored, "{{name}}") {
		t.Fatalf("after add and remove the text is %q", stored)
	}
	run("phone width", chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond))
	screenshot(ctx, t, "compose-line-zh-390")
	run("back to desktop", chromedp.EmulateViewport(1280, 900))

	var audience, sendable, needed, remaining, loc string
	run("next: the confirmation",
		chromedp.Click(`[data-testid="next"]`),
		chromedp.WaitVisible(`[data-testid="confirm-audience"]`),
		chromedp.AttributeValue(`[data-testid="confirm-audience"]`, "data-count", &audience, nil),
		chromedp.AttributeValue(`[data-testid="confirm-sendable"]`, "data-count", &sendable, nil),
		chromedp.AttributeValue(`[data-testid="confirm-quota"]`, "data-needed", &needed, nil),
		chromedp.AttributeValue(`[data-testid="confirm-quota"]`, "data-remaining", &remaining, nil),
		chromedp.Location(&loc),
	)
	if audience != fmt.Sprint(a.Count) || sendable != audience || needed != sendable || remaining != "4766" {
		t.Fatalf("figures: audience %s (saved %d), sendable %s, quota needed %s remaining %s", audience, a.Count, sendable, needed, remaining)
	}
	screenshot(ctx, t, "confirm-line-zh-1280")
	run("phone width", chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond))
	screenshot(ctx, t, "confirm-line-zh-390")

	// The same screens in English.
	confirmPath := strings.TrimPrefix(loc, base)
	editPath := strings.TrimSuffix(confirmPath, "/confirm") + "/edit"
	run("English", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/lang/en?next="+url.QueryEscape(editPath)),
		chromedp.WaitVisible(`[data-testid="message-text-box"] .name-chip`),
	)
	screenshot(ctx, t, "compose-line-en-1280")
	run("phone width", chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond))
	screenshot(ctx, t, "compose-line-en-390")
	run("English confirmation", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+confirmPath), chromedp.WaitVisible(`[data-testid="confirm-audience"]`))
	screenshot(ctx, t, "confirm-line-en-1280")
	run("phone width", chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond))
	screenshot(ctx, t, "confirm-line-en-390")

	var status string
	run("send now",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Click(`[data-testid="confirm-send"]`),
		chromedp.WaitVisible(`[data-testid="freeze-progress"]`),
		chromedp.AttributeValue(`[data-testid="freeze-progress"]`, "data-status", &status, nil),
	)
	// Confirmed: preparing, scheduled, or already handed to the
	// dispatcher (send now).
	if status == models.BroadcastDraft || status == models.BroadcastCancelled || status == "" {
		t.Fatalf("after confirming the broadcast is %q", status)
	}
	screenshot(ctx, t, "confirmed-line-en-1280")
}
