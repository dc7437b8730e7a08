package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
	"omnicast/views"
	"omnicast/views/i18n"
)

// upload posts a multipart form with one file, carrying the CSRF token of
// the last page seen unless csrf is false.
func (b *browser) upload(path string, fields map[string]string, fileName string, content []byte, csrf bool) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf {
		_ = mw.WriteField("_csrf", b.lastCSRF)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.app.http.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// htmxGet fetches a fragment as htmx's polling does.
func (b *browser) htmxGet(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.app.http.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

// waitImport polls the status fragment until the import has finished.
func (b *browser) waitImport(path string) page {
	b.t.Helper()
	// Generous: under the race detector the pure-Go SQLite runs about
	// twenty times slower, and the name index (migration 0007) is
	// maintained on every inserted contact.
	deadline := time.Now().Add(180 * time.Second)
	for time.Now().Before(deadline) {
		p := b.htmxGet(path)
		wantStatus(b.t, p, http.StatusOK)
		if p.doc.Find(`[data-testid="import-result"]`).Length() == 1 {
			return p
		}
		if p.doc.Find(`[data-testid="import-running"]`).Length() != 1 {
			b.t.Fatalf("neither running nor done: %s", p.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.t.Fatalf("import at %s did not finish", path)
	return page{}
}

// uploadAndConfirm uploads a file, checks that it lands on its preview,
// confirms it and returns the import's path.
func (b *browser) uploadAndConfirm(channel uint, name string, content []byte) string {
	b.t.Helper()
	b.get("/contacts/import")
	p := b.upload("/contacts/import", map[string]string{"channel": uid(channel)}, name, content, true)
	wantStatus(b.t, p, http.StatusSeeOther)
	loc := p.location()
	preview := b.get(loc)
	wantStatus(b.t, preview, http.StatusOK)
	if preview.doc.Find(`[data-testid="import-preview"]`).Length() != 1 {
		b.t.Fatalf("no preview after upload: %s", preview.text("main"))
	}
	started := b.post(loc+"/start", url.Values{})
	if started.status != http.StatusSeeOther || started.location() != loc {
		b.t.Fatalf("confirm: %d %q %s", started.status, started.location(), started.text("main"))
	}
	return loc
}

func importTestChannel(t *testing.T, app *testApp, name string) *models.Channel {
	t.Helper()
	ch, err := models.CreateChannel(app.db, app.srv.sealer, models.ChannelInput{
		Kind: "line", Name: name, ExternalID: "ext-" + name, Token: "token-1234", Secret: "secret-line",
	})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func uid(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func countImported(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&models.Contact{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestContactImportRefusesBadFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		b := app.browser()
		b.signIn("mk@example.com")

		form := b.get("/contacts/import?channel=" + uid(ch.ID))
		wantStatus(t, form, http.StatusOK)
		if v, _ := form.doc.Find(`select[name="channel"] option[selected]`).Attr("value"); v != uid(ch.ID) {
			t.Fatalf("channel not preselected: %q", v)
		}
		if enc, _ := form.doc.Find(`[data-testid="import-form"]`).Attr("enctype"); enc != "multipart/form-data" {
			t.Fatalf("enctype %q", enc)
		}
		if strings.Contains(form.body, "import.col.") {
			t.Fatal("a column description is missing from the catalogue")
		}

		cases := []struct {
			lang, file, content, field, want string
		}{
			{"en", "junk.csv", "external_id,name\nU1,\xff\xfe\xff\n", "file", "encoding of this file was not recognised"},
			{"zh-TW", "junk.csv", "external_id,name\nU1,\xff\xfe\xff\n", "file", "無法辨識此檔案的文字編碼"},
			{"en", "empty.csv", "", "file", "The file is empty"},
			{"en", "noid.csv", "id,name\nU1,x\n", "file", "no external_id column"},
			{"zh-TW", "noid.csv", "id,name\nU1,x\n", "file", "沒有 external_id 欄位"},
			{"en", "", "", "file", "Choose a CSV file"},
		}
		for _, tc := range cases {
			b.lang = tc.lang
			b.get("/contacts/import")
			p := b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, tc.file, []byte(tc.content), true)
			wantStatus(t, p, http.StatusUnprocessableEntity)
			if got := p.text(`[data-testid="error-` + tc.field + `"]`); !strings.Contains(got, tc.want) {
				t.Errorf("%s %s: error %q, want %q", tc.lang, tc.file, got, tc.want)
			}
			// The failed form keeps the account chosen.
			if v, _ := p.doc.Find(`select[name="channel"] option[selected]`).Attr("value"); v != uid(ch.ID) {
				t.Errorf("%s %s: account not kept: %q", tc.lang, tc.file, v)
			}
		}
		b.lang = "en"
		p := b.upload("/contacts/import", map[string]string{"channel": "999"}, "a.csv", []byte("external_id\nU1\n"), true)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if p.text(`[data-testid="error-channel"]`) == "" {
			t.Error("unknown channel accepted")
		}
		wantStatus(t, b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "a.csv", []byte("external_id\nU1\n"), false), http.StatusForbidden)
		if n := countImported(t, db); n != 0 {
			t.Fatalf("%d contacts after refused files", n)
		}

		// Signed out: to the sign-in page, nothing read.
		anon := app.browser()
		anon.get("/login")
		if p := anon.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "a.csv", []byte("external_id\nU1\n"), true); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
			t.Fatalf("anonymous upload: %d %q", p.status, p.location())
		}
	})
}

// TestContactImportPreviewThenImport: the upload shows the preview (rows
// as they will be read, the mapping, the failing count) and writes
// nothing; the import runs only once confirmed, in the background.
func TestContactImportPreviewThenImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		b := app.browser()
		b.signIn("mk@example.com")

		// More than the pages' 2 MB limit: the upload route has its own.
		// (The long note column is not imported.)
		const n = 6000
		note := strings.Repeat("備註", 150)
		var buf bytes.Buffer
		buf.WriteString("\uFEFFexternal_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags,note\r\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&buf, "U%06d,聯絡人 %d 號 — 台北市信義區,0912%06d,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北,%s\r\n", i, i, i, note)
		}
		buf.WriteString("U000001,重複,,,,,,\r\n")                        // line n+2
		buf.WriteString("BAD1,壞日期,,,yesterday,,,\r\n")                 // line n+3
		buf.WriteString("BAD2,壞布林,,maybe,,,,\r\n")                     // line n+4
		buf.WriteString("BAD3,一萬年,,,9999-12-31T23:59:59-01:00,,,\r\n") // line n+5
		if buf.Len() < 3<<20 {
			t.Fatalf("test file is only %d bytes", buf.Len())
		}
		b.get("/contacts/import")
		p := b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "聯絡人.csv", buf.Bytes(), true)
		wantStatus(t, p, http.StatusSeeOther)
		loc := p.location()
		if !strings.HasPrefix(loc, "/contacts/import/") {
			t.Fatalf("redirect to %q", loc)
		}
		preview := b.get(loc)
		wantStatus(t, preview, http.StatusOK)
		if got := preview.text(`[data-testid="page-title"]`); got != "Check the import" {
			t.Errorf("title %q", got)
		}
		if !strings.Contains(preview.text(`[data-testid="import-intro"]`), "聯絡人.csv") || !strings.Contains(preview.body, "台北門市") {
			t.Errorf("preview lacks file / account: %s", preview.text(`[data-testid="import-intro"]`))
		}
		if got := preview.text(`[data-testid="preview-total"]`) + "/" + preview.text(`[data-testid="preview-good"]`) + "/" + preview.text(`[data-testid="preview-bad"]`); got != fmt.Sprintf("%d/%d/4", n+4, n) {
			t.Errorf("total/good/bad = %s", got)
		}
		mapping := preview.doc.Find(`[data-testid="mapping-row"]`)
		if mapping.Length() != 8 {
			t.Fatalf("%d mapping rows", mapping.Length())
		}
		if known, _ := mapping.Eq(7).Attr("data-known"); known != "false" || !strings.Contains(mapping.Eq(7).Text(), "Ignored") {
			t.Errorf("unknown column: %s", mapping.Eq(7).Text())
		}
		if !strings.Contains(mapping.Eq(2).Text(), "Phone") {
			t.Errorf("phone column: %s", mapping.Eq(2).Text())
		}
		first := preview.doc.Find(`[data-testid="preview-row"]`).First()
		if line, _ := first.Attr("data-line"); line != "2" || !strings.Contains(first.Text(), "+886 912 000 000") || !strings.Contains(first.Text(), "2026-11-01 09:30") {
			t.Errorf("first preview row (line %s): %s", line, first.Text())
		}
		if rows := preview.doc.Find(`[data-testid="preview-row"]`).Length(); rows != 10 {
			t.Errorf("%d preview rows", rows)
		}
		bad := preview.text(`[data-testid="import-bad-rows"]`)
		for _, want := range []string{"Same external_id as line 3", "Not a date and time", "true or false", "before 1970 or after tomorrow"} {
			if !strings.Contains(bad, want) {
				t.Errorf("preview's failing rows lack %q", want)
			}
		}
		if preview.doc.Find(`[data-testid="import-mostly-bad"]`).Length() != 0 {
			t.Error("a mostly good file is called mostly bad")
		}
		if got := preview.text(`[data-testid="import-confirm"]`); got != fmt.Sprintf("Import %d contacts", n) {
			t.Errorf("confirm button %q", got)
		}
		// Nothing was written yet, and nothing starts by itself.
		time.Sleep(100 * time.Millisecond)
		if c := countImported(t, db); c != 0 {
			t.Fatalf("%d contacts before confirming", c)
		}

		// The same preview in Traditional Chinese.
		b.lang = "zh-TW"
		zh := b.get(loc)
		if got := zh.text(`[data-testid="page-title"]`); got != "確認匯入內容" || !strings.Contains(zh.text(`[data-testid="import-confirm"]`), "匯入") {
			t.Errorf("zh-TW preview: %q %q", got, zh.text(`[data-testid="import-confirm"]`))
		}
		b.lang = "en"

		started := b.post(loc+"/start", url.Values{})
		wantStatus(t, started, http.StatusSeeOther)
		res := b.waitImport(loc)
		if res.doc.Find("[hx-trigger]").Length() != 0 {
			t.Error("the finished result still polls")
		}
		if got := res.text(`[data-testid="page-title"]`); got != "Import finished" {
			t.Errorf("title after finishing: %q", got)
		}
		if strings.Contains(res.text(`[data-testid="import-intro"]`), "Importing") {
			t.Errorf("the finished import still says it is importing: %q", res.text(`[data-testid="import-intro"]`))
		}
		if got := res.text(`[data-testid="import-created"]`) + "/" + res.text(`[data-testid="import-updated"]`) + "/" + res.text(`[data-testid="import-skipped"]`); got != fmt.Sprintf("%d/0/4", n) {
			t.Fatalf("created/updated/skipped = %s", got)
		}
		if !strings.Contains(res.text(`[data-testid="import-partial"]`), fmt.Sprintf("4 of %d rows could not be imported", n+4)) {
			t.Errorf("summary: %q", res.text(`[data-testid="import-partial"]`))
		}
		rows := res.doc.Find(`[data-testid="import-bad-row"]`)
		if rows.Length() != 4 {
			t.Fatalf("%d bad rows shown", rows.Length())
		}
		for i, w := range []struct{ line, text string }{
			{strconv.Itoa(n + 2), "Same external_id as line 3"},
			{strconv.Itoa(n + 3), "Not a date and time"},
			{strconv.Itoa(n + 4), "true or false"},
			{strconv.Itoa(n + 5), "before 1970 or after tomorrow"},
		} {
			row := rows.Eq(i)
			if line, _ := row.Attr("data-line"); line != w.line || !strings.Contains(row.Text(), w.text) {
				t.Errorf("bad row %d: line %s %q, want %s %q", i, line, row.Text(), w.line, w.text)
			}
		}
		var count int64
		db.Model(&models.Contact{}).Where("channel_id = ?", ch.ID).Count(&count)
		if count != n {
			t.Fatalf("%d contacts in the account", count)
		}
		if c, _ := models.FindContact(db, ch.ID, "U000007"); c == nil || c.Phone != "+886912000007" {
			t.Fatalf("phone not stored in E.164: %+v", c)
		}

		// The same result in Traditional Chinese, reloaded in full: the
		// heading no longer says 正在.
		b.lang = "zh-TW"
		zh = b.get(loc)
		wantStatus(t, zh, http.StatusOK)
		if got := zh.text(`[data-testid="page-title"]`); got != "匯入完成" || strings.Contains(zh.text(`[data-testid="import-status"]`), "正在") {
			t.Errorf("zh-TW result heading %q: %s", got, zh.text(`[data-testid="import-intro"]`))
		}
		if !strings.Contains(zh.text(`[data-testid="import-bad-rows"]`), "與第 3 行重複") || strings.Contains(zh.body, "導") {
			t.Errorf("zh-TW result: %s", zh.text(`[data-testid="import-result"]`))
		}
		b.lang = "en"

		// The import page lists it.
		list := b.get("/contacts/import")
		if row := list.doc.Find(`[data-testid="import-recent-row"]`).First(); !strings.Contains(row.Text(), "聯絡人.csv") || !strings.Contains(row.Text(), "Finished") {
			t.Errorf("recent imports: %s", row.Text())
		}

		// Importing again updates instead of duplicating.
		again := b.uploadAndConfirm(ch.ID, "again.csv", []byte("external_id,name\nU000001,新名字\nNEW1,新人\n"))
		res = b.waitImport(again)
		if res.text(`[data-testid="import-created"]`) != "1" || res.text(`[data-testid="import-updated"]`) != "1" || res.doc.Find(`[data-testid="import-ok"]`).Length() != 1 {
			t.Fatalf("second import: %s", res.text(`[data-testid="import-result"]`))
		}
		if got := res.text(`[data-testid="import-ok"]`); got != "All 2 rows were imported." {
			t.Errorf("summary %q", got)
		}
		if c, _ := models.FindContact(db, ch.ID, "U000001"); c == nil || c.Name != "新名字" {
			t.Fatalf("contact not updated: %+v", c)
		}

		// An unknown import: a page saying so.
		wantStatus(t, b.get("/contacts/import/987654"), http.StatusNotFound)
	})
}

// junkCSV is what the issue describes: a valid header over megabytes of
// rows that are not contacts, with a handful that happen to parse.
func junkCSV(good, junk int) []byte {
	var b bytes.Buffer
	b.WriteString("external_id,name,subscribed_at\n")
	for i := range junk {
		fmt.Fprintf(&b, "%x,%s,%d-%d\n", i*7919, strings.Repeat("#", 60), i, i)
		if i%(junk/good) == 0 && good > 0 {
			fmt.Fprintf(&b, "G%d,good,\n", i)
		}
	}
	return b.Bytes()
}

// TestContactImportAsksAgainWhenMostRowsFail: junk under a valid header is
// not imported on the first confirmation; the page asks again.
func TestContactImportAsksAgainWhenMostRowsFail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		b := app.browser()
		b.signIn("mk@example.com")
		file := junkCSV(20, 2000)
		b.get("/contacts/import")
		up := b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "export.csv", file, true)
		wantStatus(t, up, http.StatusSeeOther)
		loc := up.location()
		preview := b.get(loc)
		if preview.doc.Find(`[data-testid="import-mostly-bad"]`).Length() != 1 || preview.text(`[data-testid="preview-bad"]`) != "2000" {
			t.Fatalf("preview does not warn: %s", preview.text(`[data-testid="import-preview"]`))
		}
		ask := b.post(loc+"/start", url.Values{})
		wantStatus(t, ask, http.StatusOK)
		if ask.doc.Find(`[data-testid="import-ask-again"]`).Length() != 1 || !strings.Contains(ask.text(`[data-testid="import-ask-again"]`), "2000 of the file's 2020 rows cannot be imported") {
			t.Fatalf("no second question: %s", ask.text("main"))
		}
		time.Sleep(100 * time.Millisecond)
		if got, _ := models.FindContactImport(db, importID(t, loc)); got.State != models.ImportPreviewState || countImported(t, db) != 0 {
			t.Fatalf("the first confirmation imported: %s, %d contacts", got.State, countImported(t, db))
		}
		b.lang = "zh-TW"
		zh := b.post(loc+"/start", url.Values{})
		if !strings.Contains(zh.text(`[data-testid="import-ask-again"]`), "2020 列中有 2000 列無法匯入") {
			t.Errorf("zh-TW question: %s", zh.text(`[data-testid="import-ask-again"]`))
		}
		b.lang = "en"
		yes := b.post(loc+"/start", url.Values{"confirm_bad": {"1"}})
		wantStatus(t, yes, http.StatusSeeOther)
		res := b.waitImport(loc)
		if res.text(`[data-testid="import-created"]`) != "20" || countImported(t, db) != 20 {
			t.Fatalf("after the second yes: %s", res.text(`[data-testid="import-result"]`))
		}
	})
}

func importID(t *testing.T, loc string) uint64 {
	t.Helper()
	id, err := strconv.ParseUint(strings.TrimPrefix(loc, "/contacts/import/"), 10, 64)
	if err != nil {
		t.Fatalf("import path %q", loc)
	}
	return id
}

// TestContactImportNothingToImport: a file none of whose rows can be
// imported offers no import; forced, it is refused.
func TestContactImportNothingToImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		b := app.browser()
		b.signIn("mk@example.com")
		b.get("/contacts/import")
		up := b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "bad.csv", []byte("external_id,subscribed\nU1,maybe\nU2,perhaps\n"), true)
		loc := up.location()
		preview := b.get(loc)
		if preview.doc.Find(`[data-testid="import-confirm"]`).Length() != 0 || preview.doc.Find(`[data-testid="import-none-good"]`).Length() != 1 {
			t.Fatalf("a file without good rows offers an import: %s", preview.text(`[data-testid="import-preview"]`))
		}
		forced := b.post(loc+"/start", url.Values{"confirm_bad": {"1"}})
		wantStatus(t, forced, http.StatusUnprocessableEntity)
		if !strings.Contains(forced.text(`[data-testid="import-error"]`), "No row of this file can be imported") {
			t.Errorf("refusal: %s", forced.text(`[data-testid="import-error"]`))
		}
	})
}

// TestContactImportSummaryWhenNothingImported: an import that ran but
// wrote nothing says so, never "the rest were imported".
func TestContactImportSummaryWhenNothingImported(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		ch := importTestChannel(t, app, "台北門市")
		imp, err := models.BeginContactImport(db, models.NewContactImport{ChannelID: ch.ID, FileName: "x.csv", File: mustCSV(t, "external_id\nA\nB\n"), Timezone: "Asia/Taipei", Now: app.clock.Now()}, "cli")
		if err != nil {
			t.Fatal(err)
		}
		bad := []models.ImportRowError{{Line: 2, Reason: models.ErrImportBool}, {Line: 3, Reason: models.ErrImportBool}}
		if err := models.FinishContactImport(db, imp.ID, models.ImportDone, models.ImportResult{Rows: 2, Bad: 2, BadRows: bad}, nil, app.clock.Now()); err != nil {
			t.Fatal(err)
		}
		app.addUser("mk@example.com", models.RoleMarketer)
		b := app.browser()
		b.signIn("mk@example.com")
		b.lang = "zh-TW"
		p := b.get(importURL(imp.ID))
		if got := p.text(`[data-testid="page-title"]`); got != "未匯入任何聯絡人" {
			t.Errorf("title %q", got)
		}
		if strings.Contains(p.body, "其餘已匯入") || !strings.Contains(p.text(`[data-testid="import-nothing"]`), "沒有匯入任何聯絡人") {
			t.Errorf("summary: %s", p.text(`[data-testid="import-result"]`))
		}
		b.lang = "en"
		if got := b.get(importURL(imp.ID)).text(`[data-testid="import-nothing"]`); !strings.HasPrefix(got, "Nothing was imported: none of the file's 2 rows") {
			t.Errorf("en summary %q", got)
		}
	})
}

func mustCSV(t *testing.T, text string) *models.ContactCSV {
	t.Helper()
	f, err := models.OpenContactCSV(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestContactImportUndoAndCancel: undo removes the contacts the import
// created and keeps those it updated; a preview can be cancelled.
func TestContactImportUndoAndCancel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		if err := db.Create(&models.Contact{ChannelID: ch.ID, ExternalID: "OLD", Name: "舊名", Subscribed: true}).Error; err != nil {
			t.Fatal(err)
		}
		b := app.browser()
		b.signIn("mk@example.com")
		loc := b.uploadAndConfirm(ch.ID, "new.csv", []byte("external_id,name,tags\nOLD,新名,VIP\nN1,一,VIP\nN2,二,\n"))
		res := b.waitImport(loc)
		if res.doc.Find(`[data-testid="import-undo"]`).Length() != 1 || !strings.Contains(res.text(`[data-testid="import-undo-submit"]`), "Remove 2 contacts") {
			t.Fatalf("no undo offered: %s", res.text(`[data-testid="import-result"]`))
		}
		undone := b.post(loc+"/undo", url.Values{})
		wantStatus(t, undone, http.StatusSeeOther)
		after := b.get(loc)
		if got := after.text(`[data-testid="page-title"]`); got != "Import undone" || after.text(`[data-testid="import-removed"]`) != "2" {
			t.Fatalf("after undo: %q %s", got, after.text(`[data-testid="import-result"]`))
		}
		if after.doc.Find(`[data-testid="import-undo"]`).Length() != 0 {
			t.Error("undo offered twice")
		}
		for _, id := range []string{"N1", "N2"} {
			if _, err := models.FindContact(db, ch.ID, id); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s survived the undo: %v", id, err)
			}
		}
		if c, _ := models.FindContact(db, ch.ID, "OLD"); c == nil || c.Name != "新名" {
			t.Errorf("the updated contact: %+v", c)
		}
		again := b.post(loc+"/undo", url.Values{})
		if again.status != http.StatusSeeOther {
			t.Fatalf("second undo: %d", again.status)
		}
		if msg := b.get(loc).text(".flash.error"); !strings.Contains(msg, "cannot be undone") {
			t.Errorf("second undo message %q", msg)
		}

		// Cancel a preview: nothing imported, back to the form.
		b.get("/contacts/import")
		up := b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "c.csv", []byte("external_id\nC1\n"), true)
		cancel := b.post(up.location()+"/cancel", url.Values{})
		if cancel.status != http.StatusSeeOther || cancel.location() != "/contacts/import?channel="+uid(ch.ID) {
			t.Fatalf("cancel: %d %q", cancel.status, cancel.location())
		}
		if msg := b.get(cancel.location()).text(".flash"); !strings.Contains(msg, "cancelled") {
			t.Errorf("cancel message %q", msg)
		}
		if got := b.get(up.location()); got.text(`[data-testid="page-title"]`) != "Import cancelled" {
			t.Errorf("cancelled import: %s", got.text(`[data-testid="page-title"]`))
		}
		if st := b.post(up.location()+"/start", url.Values{}); st.status != http.StatusSeeOther {
			t.Errorf("starting a cancelled import: %d", st.status)
		}
		if _, err := models.FindContact(db, ch.ID, "C1"); !errors.Is(err, models.ErrNotFound) {
			t.Error("a cancelled import was imported")
		}
	})
}

// TestContactImportSeenFromAnotherInstance: two servers on one database
// (two instances behind a load balancer): the upload lands on one, the
// preview, progress and result show on the other, and a second import into
// the same account waits for the first.
func TestContactImportSeenFromAnotherInstance(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a, other := newTestApp(t, db), newTestApp(t, db)
		a.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, a, "台北門市")
		onA, onB := a.browser(), other.browser()
		onA.signIn("mk@example.com")
		onB.signIn("mk@example.com")
		onA.get("/contacts/import")
		up := onA.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "a.csv", []byte("external_id,name\nA1,甲\nA2,乙\n"), true)
		loc := up.location()
		if p := onB.get(loc); p.doc.Find(`[data-testid="import-preview"]`).Length() != 1 {
			t.Fatalf("the other instance does not show the preview: %s", p.text("main"))
		}
		// Hold the account: an import of it is running elsewhere.
		busy, err := models.BeginContactImport(db, models.NewContactImport{ChannelID: ch.ID, FileName: "big.csv", File: mustCSV(t, "external_id\nX\n"), Timezone: "Asia/Taipei", Now: a.clock.Now()}, "elsewhere")
		if err != nil {
			t.Fatal(err)
		}
		refused := onB.post(loc+"/start", url.Values{})
		if refused.status != http.StatusConflict || !strings.Contains(refused.text(`[data-testid="import-error"]`), "has not finished yet") {
			t.Fatalf("start while another import runs: %d %s", refused.status, refused.text(`[data-testid="import-error"]`))
		}
		if running := onA.get(importURL(busy.ID)); running.doc.Find(`[data-testid="import-running"]`).Length() != 1 ||
			running.doc.Find(`[hx-trigger="every 1s"]`).Length() != 1 || running.text(`[data-testid="page-title"]`) != "Importing contacts…" {
			t.Fatalf("a running import: %s", running.text("main"))
		}
		// Its process dies: after the heartbeat goes stale it shows as
		// interrupted, not running for ever.
		a.clock.Advance(models.ImportStaleAfter + time.Second)
		other.clock.Advance(models.ImportStaleAfter + time.Second)
		if p := onB.get(importURL(busy.ID)); p.text(`[data-testid="page-title"]`) != "Import interrupted" || p.doc.Find("[hx-trigger]").Length() != 0 {
			t.Fatalf("a dead import: %s", p.text("main"))
		}
		wantStatus(t, onB.post(loc+"/start", url.Values{}), http.StatusSeeOther)
		res := onA.waitImport(loc)
		if res.text(`[data-testid="import-created"]`) != "2" {
			t.Fatalf("result on the first instance: %s", res.text(`[data-testid="import-result"]`))
		}
	})
}

func TestContactImportTemplateAndExample(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		b := app.browser()
		b.signIn("mk@example.com")
		form := b.get("/contacts/import")
		example := form.doc.Find(`[data-testid="import-example"]`).Text()
		if lines := strings.Split(strings.TrimSpace(example), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "external_id,name,phone") {
			t.Fatalf("the example lost its line breaks: %q", example)
		}
		if href, _ := form.doc.Find(`[data-testid="import-template"]`).Attr("href"); href != "/contacts/import/template.csv" {
			t.Fatalf("template link %q", href)
		}
		tpl := b.get("/contacts/import/template.csv")
		wantStatus(t, tpl, http.StatusOK)
		if ct := tpl.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		if cd := tpl.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Errorf("content disposition %q", cd)
		}
		if !strings.HasPrefix(tpl.body, "\uFEFFexternal_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\r\n") || strings.TrimSpace(strings.ReplaceAll(strings.TrimPrefix(tpl.body, "\uFEFF"), "\r", "")) != strings.TrimSpace(example) {
			t.Fatalf("template:\n%q\nexample:\n%q", tpl.body, example)
		}
		// The template imports as it is, without a failing row.
		res := b.waitImport(b.uploadAndConfirm(ch.ID, "template.csv", []byte(tpl.body)))
		if res.text(`[data-testid="import-created"]`) != "2" || res.text(`[data-testid="import-skipped"]`) != "0" {
			t.Fatalf("template import: %s", res.text(`[data-testid="import-result"]`))
		}
	})
}

// TestImportUploadLimitOnlyForTheUploadRoute: the pages keep their 2 MB
// body limit; only the upload route takes more.
func TestImportUploadLimitOnlyForTheUploadRoute(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	b := app.browser()
	b.get("/login")
	big := url.Values{"email": {strings.Repeat("a", 3<<20)}, "password": {"x"}}
	if p := b.post("/login", big); p.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("3 MB sign-in form: %d", p.status)
	}
}

func TestContactExportDownload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		other := importTestChannel(t, app, "Good Day Coffee HK")
		f := mustCSV(t, "external_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\n"+
			"U1,陳怡君,0912-345-678,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北\n"+
			"U2,王小明,,false,,,VIP\n"+
			"U3,黃大華,,true,,,\n")
		if _, err := models.ImportContacts(t.Context(), db, ch.ID, f, models.ImportOptions{Now: app.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		b := app.browser()
		if p := b.get("/contacts/export?channel=" + uid(ch.ID)); p.status != http.StatusSeeOther {
			t.Fatalf("anonymous export: %d", p.status)
		}
		b.signIn("mk@example.com")

		p := b.get("/contacts/export?channel=" + uid(ch.ID) + "&status=all")
		wantStatus(t, p, http.StatusOK)
		if ct := p.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		// Named after the account and the day, with an ASCII fallback.
		cd := p.header.Get("Content-Disposition")
		_, params, err := mime.ParseMediaType(cd)
		if err != nil || params["filename"] != "台北門市-contacts-2026-11-25.csv" {
			t.Errorf("content disposition %q: %v %v", cd, params, err)
		}
		if !strings.Contains(cd, `filename="channel-`+uid(ch.ID)+`-contacts-2026-11-25.csv"`) ||
			!strings.Contains(cd, "filename*=UTF-8''%E5%8F%B0%E5%8C%97%E9%96%80%E5%B8%82-contacts-2026-11-25.csv") {
			t.Errorf("content disposition %q", cd)
		}
		if !strings.HasPrefix(p.body, "\uFEFFexternal_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\r\n") {
			t.Fatalf("no BOM / header: %q", p.body)
		}
		if !strings.Contains(p.body, "U1,陳怡君,+886 912 345 678,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北\r\n") ||
			strings.Count(p.body, "\r\n") != 4 {
			t.Fatalf("export:\n%s", p.body)
		}
		ascii := b.get("/contacts/export?channel=" + uid(other.ID) + "&status=all")
		if cd := ascii.header.Get("Content-Disposition"); cd != `attachment; filename="Good-Day-Coffee-HK-contacts-2026-11-25.csv"` {
			t.Errorf("ASCII account's file %q", cd)
		}

		// The list's default filter is subscribed contacts only; tags narrow it.
		sub := b.get("/contacts/export?channel=" + uid(ch.ID))
		if strings.Count(sub.body, "\r\n") != 3 || strings.Contains(sub.body, "U2,") {
			t.Fatalf("default filter export:\n%s", sub.body)
		}
		vip := b.get("/contacts/export?channel=" + uid(ch.ID) + "&tags_any=VIP&status=all")
		if strings.Count(vip.body, "\r\n") != 3 || strings.Contains(vip.body, "U3,") {
			t.Fatalf("tag filter export:\n%s", vip.body)
		}

		wantStatus(t, b.get("/contacts/export?channel="+uid(ch.ID)+"&interacted_within=soon"), http.StatusBadRequest)
		wantStatus(t, b.get("/contacts/export"), http.StatusBadRequest)
		wantStatus(t, b.get("/contacts/export?channel=999"), http.StatusNotFound)

		// The download imports again, through the page, unchanged.
		res := b.waitImport(b.uploadAndConfirm(other.ID, "export.csv", []byte(p.body)))
		if res.text(`[data-testid="import-created"]`) != "3" || res.text(`[data-testid="import-skipped"]`) != "0" {
			t.Fatalf("re-import: %s", res.text(`[data-testid="import-result"]`))
		}
		again := b.get("/contacts/export?channel=" + uid(other.ID) + "&status=all")
		if sortedCSV(again.body) != sortedCSV(p.body) {
			t.Fatalf("round trip differs:\n%s\n%s", p.body, again.body)
		}
	})
}

// contactQueryFailer makes contact queries fail on demand. It is
// registered before any other goroutine uses the database (GORM's callback
// list is not safe to change while queries run) and armed later.
type contactQueryFailer struct {
	from atomic.Int32 // fail the from-th contact query and later ones; 0: off
	seen atomic.Int32
}

func newContactQueryFailer(t *testing.T, db *gorm.DB) *contactQueryFailer {
	t.Helper()
	f := &contactQueryFailer{}
	fail := func(tx *gorm.DB) {
		if from := f.from.Load(); from > 0 && tx.Statement.Table == "contacts" && f.seen.Add(1) >= from {
			_ = tx.AddError(errors.New("test: database gone"))
		}
	}
	// Contact pages are read row by row (Rows), other reads by Find.
	if err := db.Callback().Query().Before("gorm:query").Register("test:fail_contacts", fail); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Row().Before("gorm:row").Register("test:fail_contact_rows", fail); err != nil {
		t.Fatal(err)
	}
	return f
}

// failFrom arms the failer: contact queries fail from the n-th on.
func (f *contactQueryFailer) failFrom(n int32) {
	f.seen.Store(0)
	f.from.Store(n)
}

// TestContactExportFailureAbortsTheDownload: once the 200 and the first
// part of the file went out, a database failure cuts the connection, so
// the browser shows a failed download instead of saving a truncated file;
// a failure before anything went out is a plain error page.
func TestContactExportFailureAbortsTheDownload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		failer := newContactQueryFailer(t, db)
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		var text strings.Builder
		text.WriteString("external_id,name,tags\n")
		for i := range 2500 {
			fmt.Fprintf(&text, "U%05d,聯絡人 %d — 台北市信義區忠孝東路五段,VIP;台北;新客\n", i, i)
		}
		if _, err := models.ImportContacts(t.Context(), db, ch.ID, mustCSV(t, text.String()), models.ImportOptions{Now: app.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		b := app.browser()
		b.signIn("mk@example.com")
		path := "/contacts/export?channel=" + uid(ch.ID) + "&status=all"

		// The second page of contacts fails (the first page takes two
		// queries: contacts with an interaction time, then those without):
		// the first page is out already.
		failer.failFrom(3)
		res, err := b.c.Get(app.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, readErr := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(body) < 64<<10 {
			t.Fatalf("status %d after %d bytes", res.StatusCode, len(body))
		}
		if readErr == nil {
			t.Fatalf("a failed export arrived as a complete %d-byte download", len(body))
		}
		if !errors.Is(readErr, io.ErrUnexpectedEOF) {
			t.Logf("download cut with %v", readErr)
		}

		// The first page fails: nothing went out, so an error page.
		failer.failFrom(1)
		p := b.get(path)
		if p.status != http.StatusInternalServerError || p.header.Get("Content-Disposition") != "" || !strings.Contains(p.header.Get("Content-Type"), "text/html") {
			t.Fatalf("early failure: %d %q %q", p.status, p.header.Get("Content-Disposition"), p.header.Get("Content-Type"))
		}
	})
}

func sortedCSV(s string) string {
	lines := strings.Split(s, "\r\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestContactListShowsPhonesInInternationalFormat: stored E.164 numbers,
// and WhatsApp digits stored before normalisation, read "+886 912 345 678".
func TestContactListShowsPhonesInInternationalFormat(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mk@example.com", models.RoleMarketer)
	ch := app.channel("whatsapp", "")
	for id, phone := range map[string]string{"886912345678": "+886912345678", "85291234567": "85291234567"} {
		if err := app.db.Create(&models.Contact{ChannelID: ch.ID, ExternalID: id, Name: "n" + id, Phone: phone, Subscribed: true}).Error; err != nil {
			t.Fatal(err)
		}
	}
	b := app.browser()
	b.signIn("mk@example.com")
	p := b.get("/contacts?channel=" + uid(ch.ID))
	wantStatus(t, p, http.StatusOK)
	for _, want := range []string{"+886 912 345 678", "+852 9123 4567"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the list does not show %q", want)
		}
	}
}

// TestContactImportIntoARemovedAccount: an account removed between upload
// and confirmation gets no contacts.
func TestContactImportIntoARemovedAccount(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mk@example.com", models.RoleMarketer)
	ch := importTestChannel(t, app, "台北門市")
	b := app.browser()
	b.signIn("mk@example.com")
	b.get("/contacts/import")
	up := b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "a.csv", []byte("external_id\nU1\n"), true)
	if err := models.DeleteChannel(app.db, ch.ID); err != nil {
		t.Fatal(err)
	}
	p := b.post(up.location()+"/start", url.Values{})
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if !strings.Contains(p.text(`[data-testid="import-error"]`), "account was removed") {
		t.Errorf("message %q", p.text(`[data-testid="import-error"]`))
	}
	time.Sleep(50 * time.Millisecond)
	if n := countImported(t, app.db); n != 0 {
		t.Fatalf("%d contacts imported into a removed account", n)
	}
	if imp, _ := models.FindContactImport(app.db, importID(t, up.location())); imp.State != models.ImportCancelled {
		t.Fatalf("import left %s", imp.State)
	}
}

// TestImportKeysBuiltAtRunTime: the import pages build message ids from
// states, columns and encodings; each exists in both languages.
func TestImportKeysBuiltAtRunTime(t *testing.T) {
	b, err := i18n.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range []string{models.ImportPreviewState, models.ImportQueued, models.ImportRunning, models.ImportDone, models.ImportFailed,
		models.ImportInterrupted, models.ImportCancelled, models.ImportExpired, models.ImportUndone} {
		ids = append(ids, "import.state."+st)
		v := views.ImportView{State: st}
		ids = append(ids, v.TitleID(), v.IntroID())
	}
	for _, col := range models.ContactCSVColumns() {
		ids = append(ids, "import.field."+col, "import.col."+col)
	}
	for _, enc := range []string{models.EncodingUTF8, models.EncodingBig5, models.EncodingUTF16LE, models.EncodingUTF16BE} {
		ids = append(ids, "import.encoding."+enc)
	}
	for _, e := range append(models.ImportRowReasons(), models.ImportFileErrors()...) {
		ids = append(ids, e.Error())
	}
	for _, lang := range i18n.Languages() {
		lz := b.Localizer(lang)
		for _, id := range ids {
			if lz.T(id, "Count", 2) == id {
				t.Errorf("%s lacks %q", lang, id)
			}
		}
	}
}
