package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserMessengerTaggedPromotionLocks composes a Messenger broadcast
// under 帳戶通知 (account_update) as staff do. A promotional phrase is
// flagged while typing (marked in the preview, nothing locked); staff go
// on to the confirmation, which warns, and confirm anyway: refused with
// promotional_content, and the Page's tagged broadcasting is locked, the
// reason and the offending text shown in the composer and on the
// channel's page. A later tagged broadcast is refused with
// tag_broadcast_locked, while the same broadcast as a standard message
// confirms.
func TestBrowserMessengerTaggedPromotionLocks(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	// The Graph API on loopback: a send-now broadcast reaches no real host.
	var sends atomic.Int64
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		n := sends.Add(1)
		fmt.Fprintf(w, `{"recipient_id":"r%d","message_id":"m.%d"}`, n, n)
	}))
	t.Cleanup(graph.Close)
	ch := app.channel(channels.KindMessenger, graph.URL)
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
	locked := func() *models.Channel {
		t.Helper()
		got, err := models.FindChannel(app.db, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	base := app.http.URL
	composer := base + fmt.Sprintf("/broadcasts/new?audience=%d", a.ID)
	promo := "您的帳戶已升級，現在下單享 9 折"
	run("sign in and open the composer",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Navigate(composer),
		chromedp.WaitVisible(`[data-testid="message-text-box"]`),
	)
	var tagLocks int
	run("no lock yet", chromedp.Evaluate(`document.querySelectorAll('[data-testid="tag-lock"]').length`, &tagLocks))
	if tagLocks != 0 {
		t.Fatal("the composer of an unlocked Page shows a lock")
	}

	// While composing: flagged, highlighted, nothing locked.
	var marks, phrases []string
	var hits string
	run("帳戶通知 and a promotional text",
		chromedp.SendKeys("#subject", "帳戶升級通知"),
		chromedp.Click(`[data-testid="tag-account_update"]`),
		chromedp.Click(`[data-testid="message-text-box"]`),
		chromedp.SendKeys(`[data-testid="message-text-box"]`, promo),
		chromedp.WaitVisible(`[data-testid="preview"] [data-testid="promo-mark"]`),
		chromedp.WaitVisible(`[data-testid="promo-hits"]`),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid="preview"] [data-testid="promo-mark"]')).map(function(m){return m.textContent})`, &marks),
		chromedp.Text(`[data-testid="promo-hits"]`, &hits),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid="promo-phrase"]')).map(function(m){return m.textContent})`, &phrases),
	)
	// The overlapping hits (現在下單, 下單享, 9 折) read as one phrase.
	if strings.Join(marks, "|") != "現在下單享 9 折" || strings.Join(phrases, "|") != "現在下單享 9 折" || !strings.Contains(hits, "鎖定") {
		t.Fatalf("while composing the preview marks %q, lists %q and says %q; want 現在下單享 9 折 and what confirming does", marks, phrases, hits)
	}
	if locked().TagBroadcastLocked {
		t.Fatal("composing locked the Page")
	}
	screenshot(ctx, t, "compose-messenger-flagged-zh-1280")
	run("phone width", chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond))
	screenshot(ctx, t, "compose-messenger-flagged-zh-390")
	run("back to desktop", chromedp.EmulateViewport(1280, 900))

	// 下一步 goes on to the confirmation, which warns; confirming anyway is
	// refused and locks the Page.
	var warning, loc, tag string
	run("next: the confirmation warns",
		chromedp.Click(`[data-testid="next"]`),
		chromedp.WaitVisible(`[data-testid="confirm-promo-warning"]`),
		chromedp.Text(`[data-testid="confirm-promo-warning"]`, &warning),
		chromedp.AttributeValue(`[data-testid="confirm-tag"]`, "data-tag", &tag, nil),
		chromedp.WaitVisible(`[data-testid="confirm-content"] [data-testid="promo-mark"]`),
		chromedp.Location(&loc),
	)
	if !strings.Contains(warning, "現在下單享 9 折") || !strings.Contains(warning, "鎖定") || tag != models.TagAccountUpdate {
		t.Fatalf("the confirmation of a %q broadcast warns %q", tag, warning)
	}
	if locked().TagBroadcastLocked {
		t.Fatal("showing the confirmation locked the Page")
	}
	screenshot(ctx, t, "confirm-messenger-promo-zh-1280")
	run("phone width", chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond))
	screenshot(ctx, t, "confirm-messenger-promo-zh-390")
	run("back to desktop", chromedp.EmulateViewport(1280, 900))

	var codes []string
	var lockText, lockReason, beside string
	var lockMarks int
	run("confirm anyway: refused, locked",
		chromedp.Click(`[data-testid="confirm-send"]`),
		chromedp.WaitVisible(`[data-testid="composer-errors"]`),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid="composer-error"]')).map(function(e){return e.dataset.code})`, &codes),
		chromedp.Text(`[data-field-error="messages"]`, &beside),
		chromedp.WaitVisible(`[data-testid="composer"] [data-testid="tag-lock"]`),
		chromedp.Text(`[data-testid="tag-lock-reason"]`, &lockReason),
		chromedp.Text(`[data-testid="tag-lock-text"]`, &lockText),
		chromedp.Evaluate(`document.querySelectorAll('[data-testid="tag-lock-text"] [data-testid="promo-hit"]').length`, &lockMarks),
		// What was typed is still there, its phrases marked in the preview.
		chromedp.WaitVisible(`[data-testid="preview"] [data-testid="promo-mark"]`),
	)
	if strings.Join(codes, ",") != "promotional_content" || !strings.Contains(beside, "9 折") {
		t.Fatalf("the refusal: codes %v, beside the messages %q", codes, beside)
	}
	if lockReason != "在訊息標籤下發送促銷內容" || strings.TrimSpace(lockText) != promo || lockMarks == 0 {
		t.Fatalf("the composer's lock: reason %q, text %q, %d phrases marked", lockReason, lockText, lockMarks)
	}
	got := locked()
	if !got.TagBroadcastLocked || got.TagLockText != promo {
		t.Fatalf("after confirming anyway the Page: locked %v, text %q", got.TagBroadcastLocked, got.TagLockText)
	}
	refusedID, _ := parseID(strings.TrimSuffix(strings.TrimPrefix(loc, base+"/broadcasts/"), "/confirm"))
	if bc, err := models.FindBroadcast(app.db, refusedID); err != nil || bc.Status != models.BroadcastDraft {
		t.Fatalf("the refused broadcast: %+v, %v", bc, err)
	}
	screenshot(ctx, t, "compose-messenger-refused-zh-1280")
	run("phone width", chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond))
	screenshot(ctx, t, "compose-messenger-refused-zh-390")
	run("back to desktop", chromedp.EmulateViewport(1280, 900))

	// The channel's page says so too.
	var pageLocked, pageReason, pageText string
	run("the channel page",
		chromedp.Click(`[data-testid="tag-lock-link"]`),
		chromedp.WaitVisible(`section[data-testid="tag-lock"]`),
		chromedp.AttributeValue(`section[data-testid="tag-lock"]`, "data-locked", &pageLocked, nil),
		chromedp.Text(`section[data-testid="tag-lock"] [data-testid="tag-lock-reason"]`, &pageReason),
		chromedp.Text(`section[data-testid="tag-lock"] [data-testid="tag-lock-text"]`, &pageText),
	)
	if pageLocked != "true" || pageReason != lockReason || strings.TrimSpace(pageText) != promo {
		t.Fatalf("the channel page: locked %q, reason %q, text %q", pageLocked, pageReason, pageText)
	}
	screenshot(ctx, t, "channel-messenger-locked-zh-1280")

	// A later tagged broadcast, with nothing promotional in it: refused
	// because the Page is locked.
	run("a new tagged broadcast",
		chromedp.Navigate(composer),
		chromedp.WaitVisible(`[data-testid="message-text-box"]`),
		chromedp.WaitVisible(`[data-testid="tag-lock"]`),
		chromedp.SendKeys("#subject", "帳戶資料更新"),
		chromedp.Click(`[data-testid="tag-account_update"]`),
		chromedp.Click(`[data-testid="message-text-box"]`),
		chromedp.SendKeys(`[data-testid="message-text-box"]`, "您的帳戶資料已更新。"),
		chromedp.Click(`[data-testid="next"]`),
		chromedp.WaitVisible(`[data-field-error="message_tag"]`),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid="composer-error"]')).map(function(e){return e.dataset.code})`, &codes),
		chromedp.Text(`[data-field-error="message_tag"]`, &beside),
	)
	if strings.Join(codes, ",") != "tag_broadcast_locked" || !strings.Contains(beside, "鎖定") {
		t.Fatalf("a tagged broadcast on the locked Page: codes %v, beside the tag %q", codes, beside)
	}
	screenshot(ctx, t, "compose-messenger-locked-zh-1280")

	// The same as a standard message still goes.
	var status string
	run("standard message: confirmed",
		chromedp.Click(`[data-testid="tag-standard"]`),
		chromedp.Click(`[data-testid="next"]`),
		chromedp.WaitVisible(`[data-testid="confirm-audience"]`),
		chromedp.Location(&loc),
	)
	var promoWarnings int
	run("no warning", chromedp.Evaluate(`document.querySelectorAll('[data-testid="confirm-promo-warning"]').length`, &promoWarnings))
	if promoWarnings != 0 {
		t.Fatal("a standard message is warned about promotion")
	}
	run("send now",
		chromedp.Click(`[data-testid="confirm-send"]`),
		chromedp.WaitVisible(`[data-testid="freeze-progress"]`),
		chromedp.AttributeValue(`[data-testid="freeze-progress"]`, "data-status", &status, nil),
	)
	id, _ := parseID(strings.TrimSuffix(strings.TrimPrefix(loc, base+"/broadcasts/"), "/confirm"))
	bc, err := models.FindBroadcast(app.db, id)
	if err != nil {
		t.Fatal(err)
	}
	if status == "" || status == models.BroadcastDraft || bc.Status == models.BroadcastDraft || bc.MessageTag != models.TagStandard || bc.ConfirmedBy == nil {
		t.Fatalf("the standard broadcast: page %q, stored %s, tag %s, confirmed by %v", status, bc.Status, bc.MessageTag, bc.ConfirmedBy)
	}
	if !locked().TagBroadcastLocked {
		t.Fatal("the standard broadcast lifted the lock")
	}
	screenshot(ctx, t, "confirmed-messenger-standard-zh-1280")
}
