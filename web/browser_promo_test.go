package web

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserChannelPageFits: the account page of a locked Messenger
// account with testers, in both languages at 1280 and 390 px, fits its
// window, shows the offending text with its phrases marked, and gives the
// admin the unlock button.
func TestBrowserChannelPageFits(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	admin := app.addUser("admin@example.com", models.RoleAdmin)
	ch := app.channel("messenger", "")
	app.seedContacts(ch, 4)
	var ids []uint64
	app.db.Model(&models.Contact{}).Where("channel_id = ?", ch.ID).Order("id").Limit(2).Pluck("id", &ids)
	for _, id := range ids {
		if err := models.SetTester(app.db, id, true); err != nil {
			t.Fatal(err)
		}
	}
	text := "親愛的會員您好，您的帳戶已升級，現在下單享 9 折，全館免運，點我看看 https://shop.example.com/products/autumn-blend-2026?ref=broadcast"
	if err := models.LockTaggedBroadcasts(app.db, ch.ID, models.LockPromotional, text, models.Actor{UserID: admin.ID}, app.clock.Now()); err != nil {
		t.Fatal(err)
	}
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("sign in",
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "admin@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
	)
	for _, lang := range []string{"zh-TW", "en"} {
		if err := models.SetUserLocale(app.db, admin.ID, lang); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int64{1280, 390} {
			name := fmt.Sprintf("channel-page-%s-%d", lang, width)
			var overflow string
			var marks, testers int
			run(name,
				chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(app.http.URL+"/channels/"+itoa(ch.ID)),
				chromedp.WaitVisible(`[data-testid="tag-unlock"]`),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth ? "page is "+document.documentElement.scrollWidth+" px wide" : ""`, &overflow),
				chromedp.Evaluate(`document.querySelectorAll('[data-testid="promo-hit"]').length`, &marks),
				chromedp.Evaluate(`document.querySelectorAll('[data-testid="tester"]').length`, &testers),
			)
			screenshot(ctx, t, name)
			if overflow != "" {
				t.Errorf("%s: %s, wider than the %d px window", name, overflow, width)
			}
			if marks < 3 || testers != 2 {
				t.Errorf("%s: %d phrases marked, %d testers", name, marks, testers)
			}
		}
	}
}
