package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserComposeScreens looks at the composer and the confirmation of
// each channel the way a busy shop's staff see them (long account names,
// long contact names, a promotional text under a tag, a WhatsApp template
// with header, body parameters and quick-reply buttons) in zh-TW and
// English at 1280 and 390 px. The WhatsApp template is picked and filled
// in the browser (the picker's click lays out its inputs; the preview
// fills in the contact's name). Every screen must fit its window, show no
// untranslated message id, cut no placeholder off, and keep each
// template's parameter inputs side by side with their labels. With
// OMNICAST_SCREENSHOTS set it keeps a screenshot of each.
func TestBrowserComposeScreens(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	user := app.addUser("mei@example.com", models.RoleMarketer)
	messenger := app.screensWorkspace()
	var wa models.Channel
	if err := app.db.Where("kind = ?", channels.KindWhatsApp).Take(&wa).Error; err != nil {
		t.Fatal(err)
	}
	if err := models.ReplaceWATemplates(app.db, wa.ID, waTestTemplates(), app.clock.Now()); err != nil {
		t.Fatal(err)
	}
	card := app.saveModule(models.BotModuleInput{Name: "會員方案介紹 Membership plans", Kind: channels.CardButton, Text: "好日子會員每月享新品試喝。",
		Buttons: []models.ModuleButton{{Title: "我要加入", Type: channels.ButtonReply, Payload: "join"}, {Title: "再想想", Type: channels.ButtonReply, Payload: "later"}}})
	audience := func(ch *models.Channel) string {
		a, err := models.SaveAudience(app.db, models.ContactFilter{ChannelID: ch.ID}, nil, true, user.ID, app.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("/broadcasts/new?audience=%d", a.ID)
	}
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	base := app.http.URL
	run("sign in",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
	)

	// Messenger: a tagged text with the name and a promotional phrase.
	var loc string
	run("Messenger composer",
		chromedp.Navigate(base+audience(messenger)),
		chromedp.WaitVisible(`[data-testid="message-text-box"]`),
		chromedp.SendKeys("#subject", "週年慶活動通知 Anniversary event update for our members"),
		chromedp.Click(`[data-testid="tag-event_update"]`),
		chromedp.Click(`[data-testid="message-text-box"]`),
		chromedp.SendKeys(`[data-testid="message-text-box"]`, "親愛的 "),
		chromedp.Click(`[data-testid="insert-name"]`),
		chromedp.SendKeys(`[data-testid="message-text-box"]`, "，週年慶活動將於 12/1 開始，限時 8 折 https://shop.example.com/products/autumn-blend-2026?ref=broadcast"),
		chromedp.WaitVisible(`[data-testid="preview"] [data-testid="promo-mark"]`),
		chromedp.Click(`[data-testid="save-draft"]`),
		chromedp.WaitVisible(`[data-testid="draft-status"]`),
		chromedp.Location(&loc),
	)
	messengerEdit := strings.TrimPrefix(loc, base)

	// WhatsApp: pick the template in the picker, fill it in.
	var previewText string
	run("WhatsApp composer",
		chromedp.Navigate(base+audience(&wa)),
		chromedp.WaitVisible(`[data-testid="template-gallery"]`),
		chromedp.SendKeys("#subject", "出貨通知"),
		chromedp.SendKeys(`[data-testid="template-search"]`, "order"),
		chromedp.Click(`.template-choice[data-name="order_shipped"] input`),
		chromedp.WaitVisible(`[data-testid="bp-param"]`),
		chromedp.SendKeys(`[data-testid="hp-param"] input[name="hp_text"]`, "A1234"),
		chromedp.SetValue(`[data-testid="bp-param"]:nth-of-type(1) select`, "contact"),
		chromedp.SendKeys(`[data-testid="bp-param"]:nth-of-type(2) input[name="bp_text"]`, "A1234"),
		chromedp.SendKeys(`[data-testid="bp-param"]:nth-of-type(3) input[name="bp_text"]`, "黑貓宅急便"),
		chromedp.SetValue(`[data-testid="button-action"]:nth-of-type(2) select[name="btn_action"]`, "bot"),
		chromedp.SetValue(`[data-testid="button-action"]:nth-of-type(2) select[name="btn_module"]`, itoa(card.ID)),
		chromedp.SetValue(`[data-testid="button-action"]:nth-of-type(3) select[name="btn_action"]`, "subscribe"),
		chromedp.SetValue(`[data-testid="button-action"]:nth-of-type(4) select[name="btn_action"]`, "unsubscribe"),
		// A change the form's htmx listens to, as a person's choice makes.
		chromedp.Evaluate(`document.querySelector('[data-testid="bp-param"] select').dispatchEvent(new Event("change", {bubbles: true}))`, nil),
		chromedp.Poll(`(document.querySelector('[data-testid="preview"] .bubble-text') || {}).textContent === "王小明 您好，您的訂單 A1234 已交由 黑貓宅急便 配送，預計明天送達。"`, nil, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.Text(`[data-testid="preview"] .bubble-text`, &previewText),
		chromedp.Click(`[data-testid="save-draft"]`),
		chromedp.WaitVisible(`[data-testid="draft-status"]`),
		chromedp.Location(&loc),
	)
	waEdit := strings.TrimPrefix(loc, base)

	// LINE: a text and a bot card is not allowed; a lone bot card is.
	var line models.Channel
	if err := app.db.Where("kind = ?", channels.KindLINE).Take(&line).Error; err != nil {
		t.Fatal(err)
	}
	run("LINE composer with a bot card",
		chromedp.Navigate(base+audience(&line)),
		chromedp.WaitVisible(`[data-testid="message-text-box"]`),
		chromedp.SendKeys("#subject", "會員方案"),
		chromedp.Click(`[data-testid="message"] [data-testid="remove"]`),
		chromedp.WaitNotPresent(`[data-testid="message"]`),
		chromedp.Click(`[data-testid="add-bot-card"]`),
		chromedp.Click(`[data-testid="bot-card-choice"]`),
		chromedp.WaitVisible(`[data-testid="message"][data-type="bot_card"]`),
		chromedp.WaitVisible(`[data-testid="preview"] .bubble-card .bubble-button`),
		// Each refused add button says why beside it.
		chromedp.WaitVisible(`[data-testid="add-text-reason"]`),
		chromedp.WaitVisible(`[data-testid="add-bot-card-reason"]`),
		chromedp.Click(`[data-testid="save-draft"]`),
		chromedp.WaitVisible(`[data-testid="draft-status"]`),
		chromedp.Location(&loc),
	)
	lineEdit := strings.TrimPrefix(loc, base)

	screens := []screen{
		{"compose-messenger", messengerEdit, `[data-testid="promo-hits"]`},
		{"confirm-messenger", strings.TrimSuffix(messengerEdit, "/edit") + "/confirm", `[data-testid="confirm-promo-warning"]`},
		{"compose-whatsapp", waEdit, `[data-testid="bp-param"]`},
		{"confirm-whatsapp", strings.TrimSuffix(waEdit, "/edit") + "/confirm", `[data-testid="confirm-template"][data-name="order_shipped"]`},
		{"compose-line-card", lineEdit, `[data-testid="preview"] .bubble-card`},
		{"confirm-line-card", strings.TrimSuffix(lineEdit, "/edit") + "/confirm", `[data-testid="confirm-quota"]`},
	}
	checkScreens(ctx, t, app.db, user.ID, base, screens, pageWider,
		screenCheck{cutPlaceholdersJS, "placeholders cut off"},
		untranslatedCheck("compose|confirm|audience|kind|nav|promo|fit|upload", false),
		screenCheck{squeezedControlsJS, "controls squeezed too narrow to read"})
}

// squeezedControlsJS lists the composer's visible inputs and selects
// narrower than 120 px: too narrow for a parameter or an action to read.
const squeezedControlsJS = `(function () {
  var out = [];
  document.querySelectorAll(".composer input:not([type=radio]):not([type=checkbox]):not([type=hidden]):not([type=file]), .composer select").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.width < 120) out.push((el.name || el.getAttribute("aria-label") || el.tagName) + " " + Math.round(r.width) + "px");
  });
  return out.join(", ");
})()`
