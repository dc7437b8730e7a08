package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserConnectChannel: an admin connects a LINE account through the
// form, sees its webhook URL and tests the connection against a LINE API
// stand-in, all in chromium.
func TestBrowserConnectChannel(t *testing.T) {
	ctx := newBrowserContext(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"userId":"Ub1","basicId":"@gooddaycoffee","displayName":"好日子咖啡","chatMode":"bot","markAsReadMode":"manual"}`)
	}))
	defer api.Close()
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("admin@example.com", models.RoleAdmin)

	var hook, result string
	err := chromedp.Run(ctx,
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "admin@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Navigate(app.http.URL+"/channels"),
		chromedp.Click(`[data-testid="add-channel"]`),
		chromedp.Click(`a[data-kind="line"]`),
		chromedp.WaitVisible(`[data-testid="channel-form"]`),
		chromedp.SendKeys("#name", "台北門市"),
		chromedp.SendKeys("#external_id", "1650000001"),
		chromedp.SendKeys("#token", "line-token-abcd"),
		chromedp.SendKeys("#secret", "line-secret-wxyz"),
		chromedp.Click(`details.advanced summary`),
		chromedp.SendKeys("#api_base_url", api.URL),
		chromedp.Submit(`[data-testid="channel-form"]`),
		chromedp.WaitVisible(`[data-testid="channel-card"]`),
		chromedp.Text(`[data-testid="webhook-url"]`, &hook),
		chromedp.Click(`[data-testid="test-connection"]`),
		chromedp.WaitVisible(`[data-testid="test-ok"]`),
		chromedp.Text(`[data-testid="test-ok"]`, &result),
	)
	if err != nil {
		t.Fatalf("connect channel journey: %v", err)
	}
	screenshot(ctx, t, "05-channels")
	if !strings.HasPrefix(hook, app.http.URL+"/webhooks/line/") {
		t.Fatalf("webhook URL = %q", hook)
	}

	// The copy button puts the whole URL on the clipboard and says so; also
	// where the Clipboard API is missing (plain http on a LAN address).
	var copied, clip, status string
	readClip := chromedp.Evaluate(`window._clip.readText()`, &clip, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) })
	err = chromedp.Run(ctx,
		cdpbrowser.GrantPermissions([]cdpbrowser.PermissionType{cdpbrowser.PermissionTypeClipboardReadWrite, cdpbrowser.PermissionTypeClipboardSanitizedWrite}).WithOrigin(app.http.URL),
		chromedp.Evaluate(`window._clip = navigator.clipboard; true`, nil),
		chromedp.Click(`[data-testid="webhook-url-copy"]`),
		chromedp.Poll(`document.querySelector('[data-testid="webhook-url-copied"]').textContent !== ""`, nil, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.Text(`[data-testid="webhook-url-copied"]`, &copied),
		readClip,
	)
	if err != nil {
		t.Fatalf("copy the webhook URL: %v", err)
	}
	if copied != "已複製" || clip != hook {
		t.Fatalf("after Copy: status %q, clipboard %q, want 已複製 and %q", copied, clip, hook)
	}
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`window._clip.writeText("something else")`, nil, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		chromedp.Evaluate(`Object.defineProperty(navigator, "clipboard", {value: undefined, configurable: true});
			document.querySelector('[data-testid="webhook-url-copied"]').textContent = ""; true`, nil),
		chromedp.Click(`[data-testid="webhook-url-copy"]`),
		chromedp.Text(`[data-testid="webhook-url-copied"]`, &status),
		readClip,
	)
	if err != nil {
		t.Fatalf("copy without the Clipboard API: %v", err)
	}
	if status != "已複製" || clip != hook {
		t.Fatalf("copy without the Clipboard API: status %q, clipboard %q", status, clip)
	}
	if !strings.Contains(result, "好日子咖啡") {
		t.Fatalf("test connection result = %q", result)
	}
}
