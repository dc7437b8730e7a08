package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBrowserImportJourney: a Taiwanese marketer uploads what Excel saved
// (Big5), sees the preview, is asked again because most rows fail, imports
// the good ones, watches the result and undoes it. With
// OMNICAST_SCREENSHOTS set, every screen is saved in zh-TW and English at
// 1440 and 390 px.
func TestBrowserImportJourney(t *testing.T) {
	ctx := newBrowserContext(t)
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mei@example.com", models.RoleMarketer)
	ch := importTestChannel(t, app, "台北門市")

	// Big5 bytes, as Traditional Chinese Excel writes a plain "CSV": two
	// good rows (陳怡君, 王小明) and three that fail.
	big5 := "external_id,name,phone,subscribed_at,tags\r\n" +
		"U1,\xb3\xaf\xa9\xc9\xa7\x67,0912-345-678,2026/11/1 09:30,VIP\r\n" +
		"U2,\xa4\xfd\xa4\x70\xa9\xfa,,,\r\n" +
		"U3,x,,yesterday,\r\n" +
		"U4,x,call me,,\r\n" +
		"U5,x,,9999-12-31T23:59:59-01:00,\r\n" +
		"U6,x,,someday,\r\n" +
		"U7,x,,soon,\r\n"
	dir := t.TempDir()
	file := filepath.Join(dir, "名單.csv")
	if err := os.WriteFile(file, []byte(big5), 0o600); err != nil {
		t.Fatal(err)
	}

	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		var s string
		run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
		return strings.TrimSpace(s)
	}
	run("sign in",
		chromedp.Navigate(app.http.URL+"/login"),
		chromedp.SendKeys("#email", "mei@example.com"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Submit(`[data-testid="login-form"]`),
		chromedp.WaitVisible(`[data-testid="match-count"]`),
	)
	run("open the import page",
		chromedp.Navigate(app.http.URL+"/contacts/import?channel="+uid(ch.ID)),
		chromedp.WaitVisible(`[data-testid="import-form"]`),
	)
	shots(ctx, t, app, "import-1-upload")

	run("upload the Big5 file",
		chromedp.SetUploadFiles(`#file`, []string{file}, chromedp.ByQuery),
		chromedp.Click(`[data-testid="import-submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="import-preview"]`),
	)
	if got := text(`[data-testid="page-title"]`); got != "確認匯入內容" {
		t.Fatalf("preview title %q", got)
	}
	if rows := text(`[data-testid="import-preview-rows"]`); !strings.Contains(rows, "陳怡君") || !strings.Contains(rows, "+886 912 345 678") {
		t.Fatalf("the preview does not show the Big5 names as read: %s", rows)
	}
	if enc := text(`[data-testid="preview-encoding"]`); !strings.Contains(enc, "Big5") {
		t.Fatalf("encoding %q", enc)
	}
	if text(`[data-testid="preview-bad"]`) != "5" || text(`[data-testid="import-mostly-bad"]`) == "" {
		t.Fatal("the preview does not warn that most rows fail")
	}
	shots(ctx, t, app, "import-2-preview")

	run("confirm: the page asks again",
		chromedp.Click(`[data-testid="import-confirm"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="import-ask-again"]`),
	)
	if q := text(`[data-testid="import-ask-again"]`); !strings.Contains(q, "7 列中有 5 列無法匯入") {
		t.Fatalf("question: %s", q)
	}
	if n := countImported(t, app.db); n != 0 {
		t.Fatalf("%d contacts imported before the second yes", n)
	}
	shotsHere(ctx, t, "import-3-ask-again")

	run("import the good rows anyway",
		chromedp.Click(`[data-testid="import-confirm-anyway"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="import-result"]`),
	)
	if got := text(`[data-testid="page-title"]`); got != "匯入完成" {
		t.Fatalf("result title %q", got)
	}
	if text(`[data-testid="import-created"]`) != "2" || text(`[data-testid="import-skipped"]`) != "5" {
		t.Fatalf("result %s", text(`[data-testid="import-result"]`))
	}
	if c, err := models.FindContact(app.db, ch.ID, "U1"); err != nil || c.Name != "陳怡君" || c.Phone != "+886912345678" {
		t.Fatalf("U1 = %+v %v", c, err)
	}
	shots(ctx, t, app, "import-4-result")

	run("undo",
		chromedp.Click(`[data-testid="import-undo"] summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="import-undo-submit"]`),
	)
	shotsHere(ctx, t, "import-5-undo-question")
	run("remove the imported contacts",
		chromedp.Click(`[data-testid="import-undo-submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="import-undone"]`),
	)
	if n := countImported(t, app.db); n != 0 {
		t.Fatalf("%d contacts after undo", n)
	}
	shots(ctx, t, app, "import-6-undone")

	// A running import, as another instance's would show: it polls.
	running, err := models.BeginContactImport(app.db, models.NewContactImport{ChannelID: ch.ID, FileName: "大型名單.csv",
		File: mustCSV(t, "external_id\nA\nB\nC\nD\n"), Timezone: "Asia/Taipei", Now: app.clock.Now()}, "elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	_ = models.ReportContactImport(app.db, running.ID, "elsewhere", 3, app.clock.Now())
	run("a running import",
		chromedp.Navigate(app.http.URL+importURL(running.ID)),
		chromedp.WaitVisible(`[data-testid="import-running"]`),
	)
	if got := text(`[data-testid="page-title"]`); got != "正在匯入聯絡人…" {
		t.Fatalf("running title %q", got)
	}
	shots(ctx, t, app, "import-7-running")

	run("the import page lists the imports",
		chromedp.Navigate(app.http.URL+"/contacts/import"),
		chromedp.WaitVisible(`[data-testid="import-recent"]`),
	)
	if recent := text(`[data-testid="import-recent"]`); !strings.Contains(recent, "名單.csv") || !strings.Contains(recent, "已復原") || !strings.Contains(recent, "匯入中") {
		t.Fatalf("recent imports: %s", recent)
	}
	shots(ctx, t, app, "import-8-recent")
}

// shots saves the current page in zh-TW and English at 1440 and 390 px
// (only with OMNICAST_SCREENSHOTS), then comes back to zh-TW at 1280 px.
func shots(ctx context.Context, t *testing.T, app *testApp, name string) {
	t.Helper()
	if os.Getenv("OMNICAST_SCREENSHOTS") == "" {
		return
	}
	var here string
	if err := chromedp.Run(ctx, chromedp.Location(&here)); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(here, app.http.URL)
	for _, lang := range []string{"zh-TW", "en"} {
		for _, width := range []int64{1440, 390} {
			err := chromedp.Run(ctx,
				emulation.SetDeviceMetricsOverride(width, 900, 1, width < 600),
				chromedp.Navigate(app.http.URL+"/lang/"+lang+"?next="+path),
				chromedp.WaitReady("body"),
				chromedp.Sleep(150*time.Millisecond),
			)
			if err != nil {
				t.Fatalf("screenshot %s %s %d: %v", name, lang, width, err)
			}
			screenshot(ctx, t, name+"-"+lang+"-"+itoa64(width))
		}
	}
	if err := chromedp.Run(ctx,
		emulation.ClearDeviceMetricsOverride(),
		chromedp.Navigate(app.http.URL+"/lang/zh-TW?next="+path),
		chromedp.WaitReady("body"),
	); err != nil {
		t.Fatal(err)
	}
}

// shotsHere saves a page that cannot be reloaded (an answer to a POST) in
// both widths, in the current language.
func shotsHere(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	if os.Getenv("OMNICAST_SCREENSHOTS") == "" {
		return
	}
	for _, width := range []int64{1440, 390} {
		if err := chromedp.Run(ctx, emulation.SetDeviceMetricsOverride(width, 900, 1, width < 600), chromedp.Sleep(150*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		screenshot(ctx, t, name+"-zh-TW-"+itoa64(width))
	}
	_ = chromedp.Run(ctx, emulation.ClearDeviceMetricsOverride())
}

func itoa64(n int64) string { return uid(uint(n)) }
