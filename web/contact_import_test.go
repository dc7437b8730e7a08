package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
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

// waitImport polls the progress fragment until the result shows.
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
			{"en", "big5.csv", "external_id,name\nU1,\xb3\xaf\xa9\xc9\xa7g\n", "file", "not UTF-8"},
			{"zh-TW", "big5.csv", "external_id,name\nU1,\xb3\xaf\xa9\xc9\xa7g\n", "file", "不是 UTF-8 編碼"},
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

func countImported(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&models.Contact{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestContactImportUploadProgressAndResult(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		b := app.browser()
		b.signIn("mk@example.com")

		// More than the pages' 2 MB limit: the upload route has its own.
		const n = 30000
		var buf bytes.Buffer
		buf.WriteString("\uFEFFexternal_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\r\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&buf, "U%06d,聯絡人 %d 號 — 台北市信義區,+886912%06d,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北\r\n", i, i, i)
		}
		buf.WriteString("U000001,重複,,,,,\r\n")        // line n+2
		buf.WriteString("BAD1,壞日期,,,yesterday,,\r\n") // line n+3
		buf.WriteString("BAD2,壞布林,,maybe,,,\r\n")     // line n+4
		if buf.Len() < 3<<20 {
			t.Fatalf("test file is only %d bytes", buf.Len())
		}
		b.get("/contacts/import")
		p := b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "聯絡人.csv", buf.Bytes(), true)
		wantStatus(t, p, http.StatusSeeOther)
		loc := p.location()
		if !strings.HasPrefix(loc, "/contacts/import/") || len(loc) != len("/contacts/import/")+32 {
			t.Fatalf("redirect to %q", loc)
		}
		full := b.get(loc)
		wantStatus(t, full, http.StatusOK)
		if !strings.Contains(full.body, "聯絡人.csv") || !strings.Contains(full.body, "台北門市") {
			t.Fatalf("progress page lacks file / account: %s", full.text("main"))
		}
		if full.doc.Find(`[data-testid="import-running"]`).Length() == 1 {
			if v, _ := full.doc.Find(`[data-testid="import-running"]`).Attr("hx-trigger"); v != "every 1s" {
				t.Fatalf("running import does not poll: %q", v)
			}
		}

		res := b.waitImport(loc)
		if res.doc.Find("[hx-trigger]").Length() != 0 {
			t.Error("the finished result still polls")
		}
		if got := res.text(`[data-testid="import-created"]`) + "/" + res.text(`[data-testid="import-updated"]`) + "/" + res.text(`[data-testid="import-skipped"]`); got != fmt.Sprintf("%d/0/3", n) {
			t.Fatalf("created/updated/skipped = %s", got)
		}
		if !strings.Contains(res.text(`[data-testid="import-partial"]`), "3 of 30003 rows could not be imported") {
			t.Errorf("summary: %q", res.text(`[data-testid="import-partial"]`))
		}
		rows := res.doc.Find(`[data-testid="import-bad-row"]`)
		if rows.Length() != 3 {
			t.Fatalf("%d bad rows shown", rows.Length())
		}
		wantRows := []struct{ line, text string }{
			{strconv.Itoa(n + 2), "Same external_id as line 3"},
			{strconv.Itoa(n + 3), "Not a date and time"},
			{strconv.Itoa(n + 4), "true or false"},
		}
		for i, w := range wantRows {
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

		// The same page in Traditional Chinese, reloaded in full.
		b.lang = "zh-TW"
		zh := b.get(loc)
		wantStatus(t, zh, http.StatusOK)
		if !strings.Contains(zh.text(`[data-testid="import-bad-rows"]`), "與第 3 行重複") || zh.text(`[data-testid="import-created"]`) != strconv.Itoa(n) {
			t.Errorf("zh-TW result: %s", zh.text(`[data-testid="import-result"]`))
		}
		b.lang = "en"

		// Importing again updates instead of duplicating.
		b.get("/contacts/import")
		p = b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "again.csv", []byte("external_id,name\nU000001,新名字\nNEW1,新人\n"), true)
		wantStatus(t, p, http.StatusSeeOther)
		res = b.waitImport(p.location())
		if res.text(`[data-testid="import-created"]`) != "1" || res.text(`[data-testid="import-updated"]`) != "1" || res.doc.Find(`[data-testid="import-ok"]`).Length() != 1 {
			t.Fatalf("second import: %s", res.text(`[data-testid="import-result"]`))
		}
		if c, _ := models.FindContact(db, ch.ID, "U000001"); c == nil || c.Name != "新名字" {
			t.Fatalf("contact not updated: %+v", c)
		}

		// A running import polls every second and shows rows done / total.
		job, err := app.srv.imports.start(ch.ID, ch.Name, "slow.csv", 2000, app.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		job.progress(500, 2000)
		running := b.htmxGet("/contacts/import/" + job.id)
		bar := running.doc.Find(`[data-testid="import-running"]`)
		if get, _ := bar.Attr("hx-get"); get != "/contacts/import/"+job.id || !strings.Contains(bar.Text(), "500 of 2000 rows") {
			t.Fatalf("running fragment: %s", running.body)
		}
		if w, _ := bar.Find(".progress span").Attr("style"); !strings.HasPrefix(w, "width:25%") {
			t.Errorf("progress bar style %q", w)
		}
		if again := b.upload("/contacts/import", map[string]string{"channel": uid(ch.ID)}, "x.csv", []byte("external_id\nX\n"), true); again.status != http.StatusUnprocessableEntity ||
			!strings.Contains(again.text(`[data-testid="error-channel"]`), "still running") {
			t.Fatalf("second import while one runs: %d %s", again.status, again.text(`[data-testid="error-channel"]`))
		}
		job.finish(models.ImportResult{}, nil, app.clock.Now())

		// An unknown import: a page saying so, and a fragment that stops polling.
		wantStatus(t, b.get("/contacts/import/0123456789abcdef0123456789abcdef"), http.StatusNotFound)
		if f := b.htmxGet("/contacts/import/0123456789abcdef0123456789abcdef"); f.doc.Find("[hx-trigger]").Length() != 0 || f.doc.Find(`[data-testid="import-missing"]`).Length() != 1 {
			t.Fatalf("missing fragment: %s", f.body)
		}
	})
}

func TestImportRegistryOneRunningImportPerChannel(t *testing.T) {
	var r importRegistry
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	a, err := r.start(1, "a", "a.csv", 10, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.start(1, "a", "b.csv", 10, now); err != errImportRunning {
		t.Fatalf("second import into channel 1: %v", err)
	}
	if _, err := r.start(2, "b", "c.csv", 10, now); err != nil {
		t.Fatalf("import into channel 2: %v", err)
	}
	a.finish(models.ImportResult{Rows: 10, Created: 10}, nil, now)
	if _, err := r.start(1, "a", "d.csv", 10, now); err != nil {
		t.Fatalf("after the first finished: %v", err)
	}
	if st := r.get(a.id).status(); !st.Finished || st.Done != 10 || st.Created != 10 {
		t.Fatalf("status %+v", st)
	}
	// Results are forgotten a day after they finished.
	if _, err := r.start(3, "c", "e.csv", 1, now.Add(importKeep+time.Minute)); err != nil || r.get(a.id) != nil {
		t.Fatalf("old result kept: %v", err)
	}
}

func TestContactExportDownload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mk@example.com", models.RoleMarketer)
		ch := importTestChannel(t, app, "台北門市")
		other := importTestChannel(t, app, "高雄門市")
		f, err := models.OpenContactCSV(strings.NewReader("external_id,name,subscribed,subscribed_at,last_interaction_at,tags\n" +
			"U1,陳怡君,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北\n" +
			"U2,王小明,false,,,VIP\n" +
			"U3,黃大華,true,,,\n"))
		if err != nil {
			t.Fatal(err)
		}
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
		if cd := p.header.Get("Content-Disposition"); cd != `attachment; filename="contacts-`+uid(ch.ID)+`-2026-11-25.csv"` {
			t.Errorf("content disposition %q", cd)
		}
		if !strings.HasPrefix(p.body, "\uFEFFexternal_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\r\n") {
			t.Fatalf("no BOM / header: %q", p.body)
		}
		if !strings.Contains(p.body, "U1,陳怡君,,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北\r\n") ||
			strings.Count(p.body, "\r\n") != 4 {
			t.Fatalf("export:\n%s", p.body)
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
		b.get("/contacts/import")
		up := b.upload("/contacts/import", map[string]string{"channel": uid(other.ID)}, "export.csv", []byte(p.body), true)
		wantStatus(t, up, http.StatusSeeOther)
		res := b.waitImport(up.location())
		if res.text(`[data-testid="import-created"]`) != "3" || res.text(`[data-testid="import-skipped"]`) != "0" {
			t.Fatalf("re-import: %s", res.text(`[data-testid="import-result"]`))
		}
		again := b.get("/contacts/export?channel=" + uid(other.ID) + "&status=all")
		// Same rows; contacts without an interaction time list newest id first,
		// and the re-import gave them ids in file order.
		if sortedCSV(again.body) != sortedCSV(p.body) {
			t.Fatalf("round trip differs:\n%s\n%s", p.body, again.body)
		}
	})
}

func sortedCSV(s string) string {
	lines := strings.Split(s, "\r\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
