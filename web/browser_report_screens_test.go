package web

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// finishedBroadcast stores a broadcast of ch that finished an hour ago,
// sent to every contact of ch in outcomes given by pick (the person's
// index → delivery), with its counters kept as sending keeps them, and
// taps from the people pick marks as clicking. It returns the broadcast.
func (a *testApp) finishedBroadcast(ch *models.Channel, by uint, subject string, spec models.BroadcastContent, sent channels.Content,
	pick func(i int, d *models.Delivery) []channels.TapPayload) *models.Broadcast {
	a.t.Helper()
	t := a.t
	now := a.clock.Now()
	start := now.Add(-75 * time.Minute).Truncate(time.Minute)
	finish := start.Add(14 * time.Minute)
	specRaw, _ := json.Marshal(spec)
	sentRaw, _ := json.Marshal(sent)
	b := &models.Broadcast{ChannelID: ch.ID, Subject: subject, Status: models.BroadcastDone, ScheduledAt: &start, StartedAt: &start,
		FinishedAt: &finish, CreatedBy: by, UpdatedBy: by, Method: models.MethodManual, Content: string(specRaw), SentContent: string(sentRaw),
		AudienceAll: true, AudienceFilter: fmt.Sprintf("channel=%d&interacted_within=30d", ch.ID), AudienceTimezone: "Asia/Taipei"}
	if err := a.db.Create(b).Error; err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	if err := a.db.Model(&models.Contact{}).Where("channel_id = ?", ch.ID).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	var taps []struct {
		contact uint64
		p       channels.TapPayload
	}
	for i, id := range ids {
		d := models.Delivery{BroadcastID: b.ID, ContactID: id, UpdatedAt: finish}
		for _, p := range pick(i, &d) {
			p.BroadcastID = b.ID
			taps = append(taps, struct {
				contact uint64
				p       channels.TapPayload
			}{id, p})
		}
		if err := a.db.Create(&d).Error; err != nil {
			t.Fatal(err)
		}
		b.AudienceCount++
		switch d.State {
		case models.DeliverySent:
			b.SentCount++
		case models.DeliveryFailed:
			b.FailedCount++
		case models.DeliverySkipped:
			b.SkippedCount++
		case models.DeliveryUncertain:
			b.UncertainCount++
		}
		for _, c := range []struct {
			at *time.Time
			n  *int64
		}{{d.DeliveredAt, &b.DeliveredCount}, {d.ReadAt, &b.ReadCount}, {d.RepliedAt, &b.RepliedCount}, {d.UnsubscribedAt, &b.UnsubscribedCount}} {
			if c.at != nil {
				*c.n++
			}
		}
	}
	b.FrozenCount = b.AudienceCount
	if err := a.db.Save(b).Error; err != nil {
		t.Fatal(err)
	}
	for _, tp := range taps {
		if err := a.db.Transaction(func(tx *gorm.DB) error {
			_, err := models.RecordTap(tx, tp.contact, tp.p, finish.Add(3*time.Minute))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, act := range []string{"create", "confirm", "status_sending", "status_done"} {
		if err := models.Audit(a.db, models.Actor{UserID: by}, models.AuditEntry{BroadcastID: &b.ID, Action: act}, start); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// outcome gives person i of a broadcast that started at start a varied
// outcome: most sent and delivered over a dozen minutes, many read, some
// failed (outside the window; a rate limit, which may be retried), some
// skipped, a few uncertain.
func outcome(start time.Time, i int, d *models.Delivery) {
	at := func(min int) *time.Time { t := start.Add(time.Duration(min)*time.Minute + 17*time.Second); return &t }
	switch {
	case i%13 == 5:
		d.State, d.Reason, d.Detail = models.DeliveryFailed, channels.ReasonOutsideWindow, "(#10) This message is sent outside of allowed window."
	case i%17 == 3:
		d.State, d.Reason = models.DeliveryFailed, channels.ReasonRateLimited
	case i%19 == 7:
		d.State, d.Reason = models.DeliverySkipped, models.SkipUnsubscribed
	case i%23 == 11:
		d.State, d.Reason = models.DeliveryUncertain, channels.ReasonNoAnswer
	default:
		d.State, d.SentAt = models.DeliverySent, at(i%12)
		if i%7 != 0 {
			d.DeliveredAt = at(i%12 + 1)
		}
		if i%3 != 0 && d.DeliveredAt != nil {
			d.ReadAt = at(i%12 + 2 + i%3)
		}
		if i%9 == 1 {
			d.RepliedAt = at(i%12 + 5)
		}
		if i == 22 || i == 44 {
			d.UnsubscribedAt = at(14)
		}
	}
}

// TestBrowserReportScreens looks at a finished broadcast's page the way
// marketing staff see it (a busy shop's long account and contact names,
// sent, failed, skipped, uncertain and read deliveries, reasons, clicks on
// a bot card's buttons and on a WhatsApp template's quick replies, retry
// and resend, cohort actions) in zh-TW and English at 1280 and 390 px.
// Every screen must fit its window, keep its figures, charts and tables
// inside it and show no untranslated message id. With
// OMNICAST_SCREENSHOTS set it keeps a screenshot of each.
func TestBrowserReportScreens(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	admin := app.addUser("admin@example.com", models.RoleAdmin)
	messenger := app.screensWorkspace()
	var wa models.Channel
	if err := app.db.Where("kind = ?", channels.KindWhatsApp).Take(&wa).Error; err != nil {
		t.Fatal(err)
	}
	if err := models.ReplaceWATemplates(app.db, wa.ID, waTestTemplates(), app.clock.Now()); err != nil {
		t.Fatal(err)
	}
	mod := app.saveModule(models.BotModuleInput{Name: "會員方案介紹 Membership plans for the anniversary season", Kind: channels.CardButton,
		Text: "好日子會員每月享新品試喝。", Buttons: []models.ModuleButton{
			{Title: "我要加入會員 Join now", Type: channels.ButtonReply, Payload: "join"},
			{Title: "看官網", Type: channels.ButtonURL, URL: "https://shop.example.com/members"},
			{Title: "再想想", Type: channels.ButtonReply, Payload: "later"}}})
	card, err := mod.Card(nil)
	if err != nil {
		t.Fatal(err)
	}
	now := app.clock.Now()
	start := now.Add(-75 * time.Minute).Truncate(time.Minute)
	text := "親愛的會員，週年慶活動將於 12/1 開始，全館咖啡豆買二送一，會員再享免運 https://shop.example.com/anniversary?ref=broadcast"
	mb := app.finishedBroadcast(messenger, admin.ID, "週年慶活動通知 Anniversary event update for our members",
		models.BroadcastContent{Messages: []models.MessageSpec{{Type: models.MessageText, Text: text}, {Type: models.MessageBotCard, BotModuleID: mod.ID}}},
		channels.Content{Parts: []channels.Part{{Kind: channels.PartText, Text: text}, {Kind: channels.PartBotCard, Card: &card, ModuleID: mod.ID}}},
		func(i int, d *models.Delivery) []channels.TapPayload {
			outcome(start, i, d)
			var taps []channels.TapPayload
			if d.ReadAt != nil && i%4 == 1 {
				taps = append(taps, channels.TapPayload{ModuleID: mod.ID, Button: 0})
			}
			if d.ReadAt != nil && i%5 == 2 {
				taps = append(taps, channels.TapPayload{ModuleID: mod.ID, Button: 2}, channels.TapPayload{ModuleID: mod.ID, Button: 2})
			}
			return taps
		})
	tpl := &models.TemplateSpec{Name: "order_shipped", Language: "zh_TW", HeaderParams: []models.ParamSpec{{Text: "A1234"}},
		BodyParams: []models.ParamSpec{{ContactName: true}, {Text: "A1234"}, {Text: "黑貓宅急便"}},
		Buttons: []models.ButtonSpec{{Action: channels.ActionNone}, {Action: channels.ActionBot, BotModuleID: mod.ID},
			{Action: channels.ActionSubscribe}, {Action: channels.ActionUnsubscribe}}}
	fill := &channels.TemplateFill{Name: tpl.Name, Language: tpl.Language, Buttons: []channels.ButtonAction{{Action: channels.ActionNone},
		{Action: channels.ActionBot, ModuleID: mod.ID}, {Action: channels.ActionSubscribe}, {Action: channels.ActionUnsubscribe}}}
	wb := app.finishedBroadcast(&wa, admin.ID, "出貨通知", models.BroadcastContent{Template: tpl}, channels.Content{Template: fill},
		func(i int, d *models.Delivery) []channels.TapPayload {
			d.State, d.SentAt = models.DeliverySent, ptrTime(start.Add(time.Duration(i)*time.Minute))
			d.DeliveredAt = d.SentAt
			if i == 0 {
				d.ReadAt = d.SentAt
				return []channels.TapPayload{{ModuleID: mod.ID, Button: 1, Action: channels.ActionBot}}
			}
			return nil
		})

	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	base := app.http.URL
	run("sign in",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys("#email", "admin@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
	)
	screens := []screen{
		{"report-messenger", "/broadcasts/" + itoa(mb.ID), `[data-testid="button-clicks"]`},
		{"report-messenger-failed", "/broadcasts/" + itoa(mb.ID) + "?status=failed", `[data-testid="button-clicks"]`},
		{"report-whatsapp", "/broadcasts/" + itoa(wb.ID), `[data-testid="button-clicks"]`},
	}
	checkScreens(ctx, t, app.db, admin.ID, base, screens, pageWider,
		screenCheck{outsideWindowJS, "cut off at the window's edge"},
		untranslatedCheck("report|recipients|dispatch|kind|nav|filter|contacts|audience|fit", true))
}

func ptrTime(t time.Time) *time.Time { return &t }

// outsideWindowJS names the report's figures, charts, rows and buttons
// that reach past the window's right edge (a box that scrolls on its own
// does not widen the page, yet still cuts them off).
const outsideWindowJS = `(function () {
  var out = [], w = window.innerWidth;
  document.querySelectorAll(".report-figure, .report-chart svg, [data-testid=button-click] td, [data-testid=reason], .btn, h1, h2").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 0.5) out.push((el.getAttribute("data-testid") || el.tagName) + " " + (el.textContent || "").trim().slice(0, 30));
  });
  return out.join(", ");
})()`
