package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
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
// {{name}}, counted in UTF-16 units, filled in the live preview), an
// image uploaded through 添加圖片 (a real PNG, shown in the preview), sees
// why a bot card cannot join them, adds and removes a message, goes to
// the confirmation, sees the numbers and the content, and confirms: the
// broadcast holds the text and the image. Screens in both languages
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
	// The demo's setup: the public URL is this server on loopback http,
	// and the channel talks to a loopback API (the simulator's place), so
	// images are accepted without https.
	app.setPublicURL(app.http.URL)
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

	// An image: a real PNG through the 添加圖片 file input, uploaded at
	// once, shown beside its input and in the preview.
	uploadID, dims := addComposerImage(t, ctx, app, 1)
	if !strings.HasPrefix(dims, "640 × 360 · ") || !strings.HasSuffix(dims, " KB") {
		t.Fatalf("after the upload the image field says %q, want its size 640 × 360 · … KB", dims)
	}
	screenshot(ctx, t, "compose-line-zh-1280")
	run("add a third message, then remove it (what was typed and uploaded stays)",
		chromedp.Click(`[data-testid="add-text"]`),
		chromedp.WaitVisible(`[data-testid="message"][data-index="2"]`),
		chromedp.Click(`[data-testid="message"][data-index="2"] [data-testid="remove"]`),
		chromedp.WaitNotPresent(`[data-testid="message"][data-index="2"]`),
		chromedp.Evaluate(`document.querySelector('textarea[name="m_text"]').value`, &stored),
	)
	var keptUpload string
	run("the image is still there",
		chromedp.Value(`[data-testid="message"][data-index="1"] input[name="m_upload"]`, &keptUpload, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="preview"] .bubble-image img`),
	)
	if !strings.Contains(stored, "{{name}}") || keptUpload != itoa(uploadID) {
		t.Fatalf("after add and remove the text is %q and the image upload %q (want %d)", stored, keptUpload, uploadID)
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
	var confirmImage bool
	run("the confirmation shows the content, image included",
		chromedp.WaitVisible(`[data-testid="confirm-content"] [data-testid="preview-name"]`),
		chromedp.Evaluate(loadedImageJS(`[data-testid="confirm-content"] .bubble-image img`), &confirmImage),
	)
	if !confirmImage {
		t.Fatal("the confirmation does not show the uploaded image")
	}
	screenshot(ctx, t, "confirm-line-zh-1280")
	run("phone width", chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond))
	screenshot(ctx, t, "confirm-line-zh-390")

	// The same screens in English.
	confirmPath := strings.TrimPrefix(loc, base)
	editPath := strings.TrimSuffix(confirmPath, "/confirm") + "/edit"
	var reloaded string
	run("English", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/lang/en?next="+url.QueryEscape(editPath)),
		chromedp.WaitVisible(`[data-testid="message-text-box"] .name-chip`),
		chromedp.WaitVisible(`[data-testid="message"][data-index="1"] [data-testid="image-thumb"]`),
		chromedp.Text(`[data-testid="message"][data-index="1"] [data-upload-status]`, &reloaded),
	)
	if strings.TrimSpace(reloaded) != dims {
		t.Fatalf("the saved draft describes its image as %q, the upload said %q", reloaded, dims)
	}
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

	// The confirmed broadcast holds the text and the image as composed.
	id, _ := parseID(strings.TrimSuffix(strings.TrimPrefix(confirmPath, "/broadcasts/"), "/confirm"))
	bc, err := models.FindBroadcast(app.db, id)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := bc.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Messages) != 2 || spec.Messages[0].Text != "您好 {{name}}，週年慶開跑 🎉" ||
		spec.Messages[1].Type != models.MessageImage || spec.Messages[1].UploadID != uploadID {
		t.Fatalf("the confirmed broadcast holds %+v, want the text and upload %d", spec.Messages, uploadID)
	}
}

// addComposerImage presses 添加圖片, makes a real 640×360 PNG and chooses
// it in the new image message (at index) as staff do; the page uploads it
// at once. It waits for the thumbnail and the preview bubble to show the
// image (loaded, not a broken link) and returns the upload's id and what
// the field says of the image.
func addComposerImage(t *testing.T, ctx context.Context, app *testApp, index int) (uint, string) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 640, 360))
	for y := 0; y < 360; y++ {
		for x := 0; x < 640; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / 640), 120, uint8(y * 255 / 360), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "週年慶橫幅.png")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	msg := fmt.Sprintf(`[data-testid="message"][data-index="%d"]`, index)
	var dims, upload string
	var thumbOK, previewOK bool
	if err := chromedp.Run(ctx,
		chromedp.Click(`[data-testid="add-image"]`),
		chromedp.WaitVisible(msg+`[data-type="image"]`),
		chromedp.SetUploadFiles(msg+` [data-testid="image-file"]`, []string{file}, chromedp.ByQuery),
		chromedp.WaitVisible(msg+` [data-testid="image-thumb"]:not([hidden])`),
		chromedp.WaitVisible(`[data-testid="preview"] .bubble-image img`),
		chromedp.Poll(loadedImageJS(msg+` [data-testid="image-thumb"]`), &thumbOK, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.Poll(loadedImageJS(`[data-testid="preview"] .bubble-image img`), &previewOK, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.Text(msg+` [data-upload-status]`, &dims),
		chromedp.Value(msg+` input[name="m_upload"]`, &upload, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("add an image: %v", err)
	}
	id, ok := parseID(upload)
	if !ok || !thumbOK || !previewOK {
		t.Fatalf("after the upload: upload id %q, thumbnail loaded %v, preview loaded %v", upload, thumbOK, previewOK)
	}
	if u, err := models.FindUpload(app.db, id); err != nil || u.Width != 640 || u.Height != 360 || u.ContentType != "image/png" {
		t.Fatalf("the stored upload: %+v, %v", u, err)
	}
	return id, strings.TrimSpace(dims)
}

// loadedImageJS is true when the image of sel has loaded (it has pixels).
func loadedImageJS(sel string) string {
	return `(function(){var i=document.querySelector(` + strconv.Quote(sel) + `);return !!i && i.complete && i.naturalWidth > 0})()`
}

// setPublicURL sets the workspace's public URL as Settings does.
func (a *testApp) setPublicURL(u string) {
	a.t.Helper()
	w := a.srv.Workspace()
	w.PublicURL = u
	if err := models.SaveWorkspace(a.db, w); err != nil {
		a.t.Fatal(err)
	}
	if err := a.srv.reloadWorkspace(); err != nil {
		a.t.Fatal(err)
	}
}
