package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
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
	// A carousel card's image: chosen from disk, uploaded at once, shown
	// as a thumbnail beside the button and in the preview.
	pic := pngFile(t, 900, 600)
	var thumb, previewImg string
	err = chromedp.Run(ctx,
		chromedp.Navigate(app.http.URL+"/bots/new?kind=carousel"),
		chromedp.WaitVisible(`[data-testid="bot-form"]`),
		// The name (required) comes last: the preview follows before it.
		chromedp.SendKeys(`input[name="cards[0].title"]`, "秋日綜合豆"),
		chromedp.SendKeys(`input[name="cards[0].subtitle"]`, "果香明亮，適合手沖"),
		chromedp.SendKeys(`input[name="cards[0].buttons[0].title"]`, "看商品"),
		chromedp.SendKeys(`input[name="cards[0].buttons[0].url"]`, "https://shop.example.com/autumn"),
		chromedp.SetUploadFiles(`[data-testid="card-form"] [data-testid="card-image-file"]`, []string{pic}, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="card-form"] [data-testid="card-image-thumb"]`),
		chromedp.Poll(`!!document.querySelector('[data-testid="preview-line"] .carousel-card img')`, nil, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.AttributeValue(`[data-testid="card-form"] [data-testid="card-image-thumb"]`, "src", &thumb, nil),
		chromedp.AttributeValue(`[data-testid="preview-line"] .carousel-card img`, "src", &previewImg, nil),
		chromedp.SendKeys("#name", "秋季新品"),
	)
	if err != nil {
		t.Fatalf("carousel image: %v", err)
	}
	screenshot(ctx, t, "bots-carousel-1280")
	if !strings.Contains(thumb, "/media/") || !strings.Contains(previewImg, "/media/") {
		t.Errorf("thumbnail %q, preview %q", thumb, previewImg)
	}
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	screenshot(ctx, t, "bots-carousel-390")
	var saved int
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Submit(`[data-testid="bot-form"]`),
		chromedp.WaitVisible(`[data-testid="bot-row"][data-kind="carousel"]`),
		chromedp.Evaluate(`document.querySelectorAll('[data-testid="bot-row"]').length`, &saved),
	)
	if err != nil || saved != 2 {
		t.Fatalf("save the carousel: %v (%d rows)", err, saved)
	}
}

// pngFile writes a w×h PNG photo-like gradient to a temporary file.
func pngFile(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(120 + x*100/w), uint8(60 + y*80/h), uint8(40 + (x+y)%30), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
