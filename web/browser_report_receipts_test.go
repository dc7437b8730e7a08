package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/jobs"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// reportLive is what the report page's live block shows, read from the
// DOM as the poll last replaced it.
type reportLive struct {
	Status          string `json:"status"`
	Percent         string `json:"percent"`
	Sent            string `json:"sent"`
	Failed          string `json:"failed"`
	Delivered       string `json:"delivered"`
	Read            string `json:"read"`
	FunnelDelivered string `json:"funnelDelivered"`
	FunnelRead      string `json:"funnelRead"`
	// Same is false once the page was loaded again (the marker set on
	// it is gone): the figures must change by the poll alone.
	Same bool `json:"same"`
}

const reportLiveJS = `(() => {
	const f = document.querySelector('[data-testid="report-figures"]');
	const p = document.querySelector('[data-testid="broadcast-progress"]');
	const v = k => { const e = document.querySelector('[data-testid="figure-' + k + '"] .value'); return e ? e.textContent.trim() : ""; };
	const step = k => { const e = document.querySelector('[data-testid="funnel"] [data-step="' + k + '"]'); return e ? e.dataset.count : ""; };
	return {status: f ? f.dataset.status : "", percent: p ? p.dataset.percent : "",
		sent: v("sent"), failed: v("failed"), delivered: v("delivered"), read: v("read"),
		funnelDelivered: step("delivered"), funnelRead: step("read"), same: window.__reportMarker === 1};
})()`

// A Messenger broadcast through the simulator, with its delivery and read
// receipts coming back to omnicast's webhook: a marketer schedules it in
// the composer for about 20 s ahead, opens it from the report list,
// edits its text from its page (the last-hour warning shown, the edit in
// the audit trail), and then watches, without reloading, the progress
// bar move while it sends (6 a second; the first three sends answered
// Graph code 2, retryable, with one attempt each), and the delivered and
// read figures and the funnel fill in from the receipts. The failures are
// retried from the page; by the simulator's record each person got the
// edited text exactly once; the recipients CSV has its header and a row
// per person, all read.
//
// The scheduling is minute-grained, so the server's, the runner's and
// the simulator's clock run at the wall clock's pace but set so that the
// next whole minute is 20 s away when the test starts.
func TestBrowserReportScheduleEditReceipts(t *testing.T) {
	ctx := newBrowserContext(t)
	const lead = 20 * time.Second
	start := time.Now()
	at := start.Add(lead).Truncate(time.Minute).Add(time.Minute)
	offset := at.Add(-lead).Sub(start)
	now := func() time.Time { return time.Now().Add(offset) }
	testJobsConfig = func(c *jobs.Config) { c.Now = now; c.Dispatch.MaxAttempts = 1 }
	t.Cleanup(func() { testJobsConfig = nil })
	app := newTestAppWith(t, dbtest.SQLite(t), func(c *Config) { c.Now = now })
	app.addUser("mei@example.com", models.RoleMarketer)
	s := sim.New(sim.Config{Now: now, ReceiptDelay: 300 * time.Millisecond})
	simBase, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	const token, secret = "token-fb-report", "secret-fb-report"
	ch, err := models.CreateChannel(app.db, app.srv.sealer, models.ChannelInput{Kind: channels.KindMessenger, Name: "春季粉專",
		ExternalID: "104000000000123", Token: token, Secret: secret, APIBaseURL: simBase, RateLimit: 6})
	if err != nil {
		t.Fatal(err)
	}
	// The receipts go to the test app's webhook, signed with the Page's
	// app secret, and are applied by the runner's receipt job.
	s.AddAccount(sim.Account{Kind: channels.KindMessenger, ExternalID: ch.ExternalID, DisplayName: ch.Name, AccessToken: token,
		Secret: secret, WebhookURL: fmt.Sprintf("%s/webhooks/messenger/%d", app.http.URL, ch.ID)})
	const n = 24
	wrote := now().Add(-time.Hour)
	for _, p := range sim.RandomPeople(n, 11, channels.KindMessenger) {
		p.LastInteraction = wrote
		s.AddPerson(ch.ExternalID, p)
		c := models.Contact{ChannelID: ch.ID, ExternalID: p.ID, Name: p.Name, Subscribed: true,
			SubscribedAt: &wrote, LastInteractionAt: &wrote}
		if err := app.db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
	}
	a, err := models.SaveAudience(app.db, models.ContactFilter{ChannelID: ch.ID}, nil, true, 1, now())
	if err != nil {
		t.Fatal(err)
	}
	s.Inject(ch.ExternalID, sim.Injected{Status: http.StatusServiceUnavailable, Code: 2, Message: "Service temporarily unavailable"}, 3)
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	base := app.http.URL
	loc := app.srv.Workspace().Location()

	run("sign in, compose and schedule",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Navigate(fmt.Sprintf("%s/broadcasts/new?audience=%d", base, a.ID)),
		chromedp.WaitVisible(`[data-testid="message-text-box"]`),
		chromedp.SendKeys("#subject", "週末預告"),
		chromedp.Click(`[data-testid="send-scheduled"]`),
		chromedp.SetValue(`[data-testid="scheduled-date"]`, at.In(loc).Format("2006-01-02")),
		chromedp.SetValue(`[data-testid="scheduled-time"]`, at.In(loc).Format("15:04")),
		chromedp.Click(`[data-testid="message-text-box"]`),
		chromedp.SendKeys(`[data-testid="message-text-box"]`, "您好 "),
		chromedp.Click(`[data-testid="insert-name"]`),
		chromedp.WaitVisible(`[data-testid="message-text-box"] .name-chip`),
		chromedp.Click(`[data-testid="next"]`),
		chromedp.WaitVisible(`[data-testid="confirm-schedule"]`),
		chromedp.Click(`[data-testid="confirm-schedule"]`),
		chromedp.WaitVisible(`[data-testid="freeze-progress"]`),
	)
	var b *models.Broadcast
	waitUntil(t, 10*time.Second, "the broadcast frozen and scheduled", func() bool {
		var list []models.Broadcast
		if err := app.db.Find(&list).Error; err != nil || len(list) != 1 {
			return false
		}
		b = &list[0]
		return b.Status == models.BroadcastScheduled
	})
	if b.ScheduledAt == nil || !b.ScheduledAt.Equal(at) {
		t.Fatalf("scheduled at %v, want %v", b.ScheduledAt, at)
	}

	var href, rowStatus string
	run("open it from the report list",
		chromedp.Navigate(base+"/broadcasts"),
		chromedp.WaitVisible(`[data-testid="broadcast-row"] a.report-subject`),
		chromedp.AttributeValue(`[data-testid="broadcast-row"]`, "data-status", &rowStatus, nil),
		chromedp.AttributeValue(`[data-testid="broadcast-row"] a.report-subject`, "href", &href, nil),
		chromedp.Click(`[data-testid="broadcast-row"] a.report-subject`),
		chromedp.WaitVisible(`[data-testid="report-figures"]`),
	)
	if href != fmt.Sprintf("/broadcasts/%d", b.ID) || rowStatus != models.BroadcastScheduled {
		t.Fatalf("the list shows a %q row linking %q", rowStatus, href)
	}
	const edited = "更新：週六加場 "
	var lastHour string
	run("edit it from its page",
		chromedp.WaitVisible(`[data-testid="edit-warning"]`),
		chromedp.Click(`[data-testid="broadcast-edit"]`),
		chromedp.WaitVisible(`[data-testid="message-text-box"] .name-chip`),
		chromedp.AttributeValue(`[data-testid="composer-edit-warning"]`, "data-last-hour", &lastHour, nil),
		// Select the whole text and type over it, then the name again.
		chromedp.Evaluate(`(() => {
			const b = document.querySelector('[data-testid="message-text-box"]');
			b.focus();
			const r = document.createRange();
			r.selectNodeContents(b);
			const s = window.getSelection();
			s.removeAllRanges();
			s.addRange(r);
		})()`, nil),
		chromedp.KeyEvent(edited),
		chromedp.Click(`[data-testid="insert-name"]`),
		chromedp.Click(`[data-testid="save-draft"]`),
		chromedp.WaitVisible(`[data-testid="audit-trail"]`),
	)
	if lastHour != "true" {
		t.Errorf("editing 20 s before the time: last-hour warning %q", lastHour)
	}
	var loc2, messages string
	var audit []struct {
		Action string `json:"action"`
		Text   string `json:"text"`
	}
	run("the page shows the edit",
		chromedp.Location(&loc2),
		chromedp.Text(`[data-testid="broadcast-messages"]`, &messages),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid="audit-entry"]')).map(e => ({action: e.dataset.action, text: e.textContent}))`, &audit),
		chromedp.Evaluate(`window.__reportMarker = 1`, nil),
	)
	if !strings.HasSuffix(loc2, href) {
		t.Fatalf("after saving the page is %s", loc2)
	}
	if !strings.Contains(messages, strings.TrimSpace(edited)) || strings.Contains(messages, "您好") {
		t.Fatalf("the page shows the messages %q, want the edited text", messages)
	}
	var update string
	for _, e := range audit {
		if e.Action == "update" {
			update = e.Text
		}
	}
	if !strings.Contains(update, "content") || !strings.Contains(update, "週六加場") {
		t.Fatalf("no edit of the content in the audit trail: %+v", audit)
	}
	if got, _ := models.FindBroadcast(app.db, b.ID); got.Status != models.BroadcastScheduled {
		t.Fatalf("the edit was saved after the start: %s", got.Status)
	}

	// Watch, without reloading: the progress bar, then the receipts.
	seen := map[int]bool{}
	var live reportLive
	read := func() {
		t.Helper()
		run("read the live block", chromedp.Evaluate(reportLiveJS, &live))
		if !live.Same {
			t.Fatal("the page was reloaded: the figures must update by the poll")
		}
		if live.Percent != "" {
			v, _ := strconv.Atoi(live.Percent)
			seen[v] = true
		}
	}
	deadline := time.Now().Add(time.Until(at.Add(-offset)) + 20*time.Second)
	for read(); live.Status != models.BroadcastDone; read() {
		if time.Now().After(deadline) {
			t.Fatalf("not done in time: %+v, progress seen %v", live, seen)
		}
		time.Sleep(250 * time.Millisecond)
	}
	var editable bool
	run("no edit once sent", chromedp.Evaluate(`!!document.querySelector('[data-testid="broadcast-edit"], [data-testid="edit-warning"]')`, &editable))
	if editable {
		t.Error("the page still offers the sent broadcast for editing")
	}
	moving := 0
	for v := range seen {
		if v > 0 && v < 100 {
			moving++
		}
	}
	if moving < 1 || len(seen) < 2 {
		t.Errorf("the progress bar did not move: %v", seen)
	}
	if live.Sent != strconv.Itoa(n-3) || live.Failed != "3" {
		t.Fatalf("done: sent %s failed %s, want %d and 3", live.Sent, live.Failed, n-3)
	}
	want := strconv.Itoa(n - 3)
	deadline = time.Now().Add(10 * time.Second)
	for read(); live.Delivered != want || live.Read != want || live.FunnelDelivered != want || live.FunnelRead != want; read() {
		if time.Now().After(deadline) {
			t.Fatalf("the receipts did not fill in: %+v, want delivered and read %s", live, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
	var reasons []string
	run("the failures by reason", chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid="reason"]')).map(e => e.dataset.reason + ":" + e.dataset.count)`, &reasons))
	if strings.Join(reasons, ",") != channels.ReasonTemporary+":3" {
		t.Errorf("reasons %v, want %s:3", reasons, channels.ReasonTemporary)
	}
	screenshot(ctx, t, "report-messenger-receipts-zh-1280")

	// The page was drawn while the broadcast was scheduled: the retry
	// button comes with a poll, not a reload.
	deadline = time.Now().Add(5 * time.Second)
	for offered := false; !offered; {
		if time.Now().After(deadline) {
			t.Fatal("the page offers no retry of the failures without a reload")
		}
		time.Sleep(250 * time.Millisecond)
		run("look for the retry button", chromedp.Evaluate(`!!document.querySelector('[data-testid="retry-failed"]') && window.__reportMarker === 1`, &offered))
	}
	var count string
	run("retry the failures from the page",
		chromedp.AttributeValue(`[data-testid="retry-failed"]`, "data-count", &count, nil),
		// The form's POST answers with a redirect to the page and a
		// flash: the edit's flash is removed first, so the one waited
		// for is on the new page, which is then marked.
		chromedp.Evaluate(`document.querySelectorAll('.flash').forEach(e => e.remove())`, nil),
		chromedp.Click(`[data-testid="retry-failed"]`),
		chromedp.WaitVisible(`.flash`),
		chromedp.Evaluate(`window.__reportMarker = 1`, nil),
	)
	if count != "3" {
		t.Errorf("retry button counts %s, want 3", count)
	}
	all := strconv.Itoa(n)
	deadline = time.Now().Add(15 * time.Second)
	for read(); live.Sent != all || live.Failed != "0" || live.Delivered != all || live.Read != all || live.FunnelRead != all; read() {
		if time.Now().After(deadline) {
			t.Fatalf("after the retry: %+v, want sent, delivered and read %d", live, n)
		}
		time.Sleep(250 * time.Millisecond)
	}

	// The simulator's record: each person once, with the edited text.
	sent := s.Sent()
	if len(sent) != n || len(s.Duplicates()) != 0 {
		t.Fatalf("the simulator recorded %d sends (duplicates %v), want each of %d once", len(sent), s.Duplicates(), n)
	}
	got := map[string]bool{}
	for _, m := range sent {
		// {{name}} is the Page's profile name, which sending caches on
		// the contact.
		c, err := models.FindContact(app.db, ch.ID, m.Recipient)
		if err != nil {
			t.Fatalf("contact %s: %v", m.Recipient, err)
		}
		cached, err := models.CachedProfiles(app.db, []uint64{c.ID})
		if err != nil {
			t.Fatal(err)
		}
		name := cached[c.ID].ProfileName
		var body struct {
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
		}
		if err := json.Unmarshal(m.Body, &body); err != nil {
			t.Fatal(err)
		}
		if name == "" || body.Message.Text != edited+name {
			t.Errorf("sent %q to %s, want %q", body.Message.Text, m.Recipient, edited+name)
		}
		got[m.Recipient] = true
	}
	if len(got) != n {
		t.Errorf("%d people got it, want %d", len(got), n)
	}

	var export struct {
		BOM  bool   `json:"bom"`
		Text string `json:"text"`
	}
	run("export the recipients CSV",
		chromedp.Evaluate(`fetch(document.querySelector('[data-testid="recipients-export"]').href).then(r => r.arrayBuffer()).then(b => {
			const u = new Uint8Array(b);
			return {bom: u[0] === 0xEF && u[1] === 0xBB && u[2] === 0xBF, text: new TextDecoder().decode(u)};
		})`, &export, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if !export.BOM {
		t.Errorf("the CSV does not start with a BOM")
	}
	// TextDecoder drops the BOM.
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(export.Text, models.CSVBOM))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	if len(rows) != n+1 || strings.Join(rows[0], ",") != strings.Join(models.RecipientCSVHeader, ",") {
		t.Fatalf("CSV: %d rows, header %v", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		if r[2] != models.RecipientsRead || r[4] == "" || r[5] == "" || r[6] == "" {
			t.Errorf("CSV row %v, want read with its sent, delivered and read times", r)
		}
	}
	t.Logf("scheduled %s ahead, done %s after the start", lead, time.Since(start).Round(time.Second))
}
