package web

import (
	"fmt"
	"net/http"
	"net/url"
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

// A broadcast composed and sent now through the simulator (LINE, a push
// per person because the text names them, 8 a second, the first three
// requests answered 500 and not retried by the dispatcher: one attempt),
// opened from the report list: the progress bar moves while it sends
// (polled every 2 s), the figures and the funnel fill in, the failures
// are retried from the page (each person sent exactly once in all, by
// the simulator's record), and the recipients CSV has its columns. LINE
// gives no delivery or read receipts, so delivered and read stay 0 here:
// the test asserts sent and failed.
func TestBrowserReportSendRetryExport(t *testing.T) {
	ctx := newBrowserContext(t)
	testJobsConfig = func(c *jobs.Config) { c.Now = time.Now; c.Dispatch.MaxAttempts = 1 }
	t.Cleanup(func() { testJobsConfig = nil })
	app := newTestAppWith(t, dbtest.SQLite(t), func(c *Config) { c.Now = time.Now })
	app.addUser("mei@example.com", models.RoleMarketer)
	s := sim.New(sim.Config{})
	simBase, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ch, err := models.CreateChannel(app.db, app.srv.sealer, models.ChannelInput{Kind: channels.KindLINE, Name: "台北門市",
		ExternalID: "line-report", Token: "token-line-report", Secret: "secret-line-report", APIBaseURL: simBase, RateLimit: 8})
	if err != nil {
		t.Fatal(err)
	}
	s.AddAccount(sim.Account{Kind: channels.KindLINE, ExternalID: ch.ExternalID, AccessToken: "token-line-report",
		Secret: "secret-line-report", MonthlyQuota: 100000})
	const n = 32
	for i, p := range sim.RandomPeople(n, 7, channels.KindLINE) {
		s.AddPerson(ch.ExternalID, p)
		c := models.Contact{ChannelID: ch.ID, ExternalID: p.ID, Name: fmt.Sprintf("客人 %02d", i+1), Subscribed: true}
		if err := app.db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
	}
	a, err := models.SaveAudience(app.db, models.ContactFilter{ChannelID: ch.ID}, nil, true, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.Inject(ch.ExternalID, sim.Injected{Status: http.StatusInternalServerError, Message: "busy"}, 3)
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	base := app.http.URL
	run("sign in, compose and send now",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="user-menu"]`),
		chromedp.Navigate(fmt.Sprintf("%s/broadcasts/new?audience=%d", base, a.ID)),
		chromedp.WaitVisible(`[data-testid="message-text-box"]`),
		chromedp.SendKeys("#subject", "報告測試"),
		chromedp.Click(`[data-testid="message-text-box"]`),
		chromedp.SendKeys(`[data-testid="message-text-box"]`, "您好 "),
		chromedp.Click(`[data-testid="insert-name"]`),
		chromedp.WaitVisible(`[data-testid="message-text-box"] .name-chip`),
		chromedp.Click(`[data-testid="next"]`),
		chromedp.WaitVisible(`[data-testid="confirm-send"]`),
		chromedp.Click(`[data-testid="confirm-send"]`),
		chromedp.WaitVisible(`[data-testid="freeze-progress"]`),
	)
	var href string
	run("open it from the report list",
		chromedp.Navigate(base+"/broadcasts"),
		chromedp.WaitVisible(`[data-testid="broadcast-row"] a.report-subject`),
		chromedp.AttributeValue(`[data-testid="broadcast-row"] a.report-subject`, "href", &href, nil),
		chromedp.Click(`[data-testid="broadcast-row"] a.report-subject`),
		chromedp.WaitVisible(`[data-testid="report-figures"]`),
	)
	// Watch: the progress bar's percentages, as the poll replaces them,
	// until the figures say done.
	seen := map[int]bool{}
	deadline := time.Now().Add(25 * time.Second)
	status := ""
	for status != models.BroadcastDone {
		if time.Now().After(deadline) {
			t.Fatalf("not done in time: status %q, progress seen %v", status, seen)
		}
		var st struct {
			Status  string `json:"status"`
			Percent string `json:"percent"`
		}
		run("read the progress", chromedp.Evaluate(`(() => {
			const f = document.querySelector('[data-testid="report-figures"]');
			const p = document.querySelector('[data-testid="broadcast-progress"]');
			return {status: f ? f.dataset.status : "", percent: p ? p.dataset.percent : ""};
		})()`, &st))
		status = st.Status
		if st.Percent != "" {
			v, _ := strconv.Atoi(st.Percent)
			seen[v] = true
		}
		time.Sleep(300 * time.Millisecond)
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
	var sent, failed, funnelSent string
	run("the figures and the funnel",
		chromedp.Text(`[data-testid="figure-sent"] .value`, &sent),
		chromedp.Text(`[data-testid="figure-failed"] .value`, &failed),
		chromedp.AttributeValue(`[data-testid="funnel"] [data-step="sent"]`, "data-count", &funnelSent, nil),
	)
	if sent != strconv.Itoa(n-3) || failed != "3" || funnelSent != strconv.Itoa(n-3) {
		t.Fatalf("figures: sent %s failed %s funnel sent %s, want %d, 3, %d", sent, failed, funnelSent, n-3, n-3)
	}

	var count string
	run("retry the failures from the page",
		chromedp.Navigate(base+href),
		chromedp.WaitVisible(`[data-testid="retry-failed"]`),
		chromedp.AttributeValue(`[data-testid="retry-failed"]`, "data-count", &count, nil),
		chromedp.Click(`[data-testid="retry-failed"]`),
		// The form's POST answers with a redirect to the page and a
		// flash: wait for it, or the next navigation aborts this one.
		chromedp.WaitVisible(`.flash`),
	)
	if count != "3" {
		t.Errorf("retry button counts %s, want 3", count)
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		var fig string
		// A poll's swap may still be loading when the page reloads: an
		// aborted load is tried again.
		if err := chromedp.Run(ctx, chromedp.Navigate(base+href), chromedp.Text(`[data-testid="figure-sent"] .value`, &fig)); err != nil &&
			!strings.Contains(err.Error(), "ERR_ABORTED") {
			t.Fatalf("wait for the retried sends: %v", err)
		}
		if fig == strconv.Itoa(n) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the retry sent is %s, want %d", fig, n)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if got := len(s.Sent()); got != n || len(s.Duplicates()) != 0 {
		t.Fatalf("the simulator recorded %d sends (duplicates %v), want each of %d once", got, s.Duplicates(), n)
	}
	var offered bool
	run("no retry left", chromedp.Evaluate(`!!document.querySelector('[data-testid="retry-failed"]')`, &offered))
	if offered {
		t.Errorf("the retry button is still offered with nothing to retry")
	}

	var csvText string
	run("export the recipients CSV",
		chromedp.Evaluate(`fetch(document.querySelector('[data-testid="recipients-export"]').href).then(r => r.text())`, &csvText,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(csvText, models.CSVBOM)), "\n")
	if len(lines) != n+1 || strings.TrimSpace(lines[0]) != strings.Join(models.RecipientCSVHeader, ",") {
		t.Fatalf("CSV: %d lines, header %q", len(lines), lines[0])
	}
	if !strings.Contains(csvText, ",sent,") {
		t.Errorf("CSV has no sent row: %.300s", csvText)
	}

	var title string
	run("English",
		chromedp.Navigate(base+"/lang/en?next="+url.QueryEscape(href+"?status=sent")),
		chromedp.WaitVisible(`[data-testid="recipients"]`),
		chromedp.Text(`[data-testid="recipients"] h2`, &title),
	)
	if title != "Recipients" {
		t.Errorf("English recipients title %q", title)
	}
	screenshot(ctx, t, "report-recipients-en-1280")
}
