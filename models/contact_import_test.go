package models_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

var importNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func importLoc(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// importCSV checks and imports text into channel id.
func importCSV(t testing.TB, db *gorm.DB, channelID uint, text string) models.ImportResult {
	t.Helper()
	f, err := models.OpenContactCSV(strings.NewReader(text))
	if err != nil {
		t.Fatalf("open CSV: %v", err)
	}
	res, err := models.ImportContacts(context.Background(), db, channelID, f, models.ImportOptions{Now: importNow, Location: importLoc(t)})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

func importTagsOf(t *testing.T, db *gorm.DB, c *models.Contact) []string {
	t.Helper()
	m, err := models.TagNamesByContact(db, []uint64{c.ID})
	if err != nil {
		t.Fatal(err)
	}
	return m[c.ID]
}

func TestImportRefusesBadFiles(t *testing.T) {
	cases := []struct {
		name string
		text string
		want error
	}{
		{"empty", "", models.ErrImportEmpty},
		{"only a BOM", "\uFEFF", models.ErrImportEmpty},
		{"blank lines", "\n\n", models.ErrImportEmpty},
		{"header only", "external_id,name\r\n", models.ErrImportEmpty},
		{"neither UTF-8 nor Big5", "external_id,name\nU1,a\nU2,b\nU3,\xff\n", models.ErrImportEncoding},
		{"utf-8 BOM then bad bytes", "\xEF\xBB\xBFexternal_id,name\nU1,\xb3\xaf\n", models.ErrImportEncoding},
		{"utf-16 without external_id", "\xff\xfee\x00x\x00t\x00\n\x00", models.ErrImportNoExternalID},
		{"no external_id", "id,name\nU1,陳\n", models.ErrImportNoExternalID},
		{"duplicate column", "external_id,name,Name\nU1,a,b\n", models.ErrImportDuplicateColumn},
		{"broken header", "external_id,\"name\nU1", models.ErrImportUnreadable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := models.OpenContactCSV(strings.NewReader(tc.text))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// Refused files leave nothing behind.
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		var n int64
		db.Model(&models.Contact{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d contacts", n)
		}
	})
}

func TestImportAcceptsBOMAndHeaderCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		res := importCSV(t, db, ch.ID, "\uFEFF External_ID ,NAME,extra\r\nU1,陳怡君,ignored\r\n")
		if res.Created != 1 || res.Bad != 0 {
			t.Fatalf("result %+v", res)
		}
		c := contact(t, db, ch, "U1")
		if c.Name != "陳怡君" || !c.Subscribed || c.SubscribedAt == nil || !c.SubscribedAt.Equal(importNow) {
			t.Fatalf("contact %+v", c)
		}
	})
}

func TestImportReportsBadRowsByLine(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		text := strings.Join([]string{
			"external_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags",
			"U1,王小明,,true,2026-11-01T09:30:00+08:00,,VIP", // 2 ok
			"U2,李,,maybe,,,",                                      // 3 bad boolean
			"U3,張,,,yesterday,,",                                  // 4 bad date
			"U4,林,,,,2026-13-01T00:00:00Z,",                       // 5 bad date
			"U1,again,,,,,",                                       // 6 duplicate of 2
			",nobody,,,,,",                                        // 7 no id
			"U5," + strings.Repeat("名", 201) + ",,,,,",            // 8 name too long
			"U6,x,+886 912 345 678 901 234 567 890 123,,,,",       // 9 phone too long
			strings.Repeat("x", 65) + ",x,,,,,",                   // 10 id too long
			"U7,x,,,,",                                            // 11 too few columns
			"U8,\"multi\nline\",,false,,,",                        // 12–13 ok (quoted newline)
			"U9,x,,,,,a" + strings.Repeat("b", 100),               // 14 tag too long
			"U10,\"bad\"quote,,,,,",                               // 15 quote error
			"U11,ok,,,2026/11/2 08:15,2026-11-20 18:00,新客;VIP ; ", // 16 ok, spreadsheet dates
			",,, ,,,",                 // 17 blank: skipped, not counted
			"U12,\"never closed,,,,,", // 18 an unclosed quote…
			"U13,x,,,,,",              // 19 …swallows the rest of the file
		}, "\n") + "\n"
		res := importCSV(t, db, ch.ID, text)
		if res.Rows != 15 || res.Created != 3 || res.Updated != 0 || res.Bad != 12 {
			t.Fatalf("result %+v", res)
		}
		want := []struct {
			line   int
			col    string
			reason error
		}{
			{3, "subscribed", models.ErrImportBool},
			{4, "subscribed_at", models.ErrImportTime},
			{5, "last_interaction_at", models.ErrImportTime},
			{6, "external_id", models.ErrImportDuplicate},
			{7, "external_id", models.ErrImportExternalIDMissing},
			{8, "name", models.ErrImportNameTooLong},
			{9, "phone", models.ErrImportPhoneTooLong},
			{10, "external_id", models.ErrImportExternalIDTooLong},
			{11, "", models.ErrImportRowColumns},
			{14, "tags", models.ErrImportTag},
			{15, "", models.ErrImportRowQuotes},
			{18, "", models.ErrImportRowQuotesSpan},
		}
		for i, w := range want {
			got := res.BadRows[i]
			if got.Line != w.line || got.Column != w.col || !errors.Is(got.Reason, w.reason) {
				t.Errorf("bad row %d = %+v, want line %d %s %v", i, got, w.line, w.col, w.reason)
			}
		}
		if res.BadRows[11].EndLine < 19 {
			t.Errorf("unclosed quote: %+v", res.BadRows[11])
		}
		if res.BadRows[3].FirstLine != 2 || res.BadRows[1].Value != "yesterday" {
			t.Errorf("duplicate / value: %+v %+v", res.BadRows[3], res.BadRows[1])
		}
		if c := contact(t, db, ch, "U1"); c.Name != "王小明" || !c.SubscribedAt.Equal(time.Date(2026, 11, 1, 1, 30, 0, 0, time.UTC)) {
			t.Errorf("U1 kept the first row? %+v", c)
		}
		if c := contact(t, db, ch, "U8"); c.Name != "multi\nline" || c.Subscribed || c.SubscribedAt != nil || c.UnsubscribedAt == nil {
			t.Errorf("U8 = %+v", c)
		}
		c := contact(t, db, ch, "U11")
		if !c.SubscribedAt.Equal(time.Date(2026, 11, 2, 0, 15, 0, 0, time.UTC)) || !c.LastInteractionAt.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("U11 times in Taipei: %v %v", c.SubscribedAt, c.LastInteractionAt)
		}
		if got := importTagsOf(t, db, c); strings.Join(got, ",") != "VIP,新客" {
			t.Errorf("U11 tags = %v", got)
		}
		if _, err := models.FindContact(db, ch.ID, "U2"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("bad row U2 was imported: %v", err)
		}
	})
}

func TestImportUpdatesExistingContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "messenger")
		other := mustChannel(t, db, "line")
		sub := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		late := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		seed := []models.Contact{
			{ChannelID: ch.ID, ExternalID: "P1", Name: "舊名", Phone: "0912", Subscribed: true, SubscribedAt: &sub, LastInteractionAt: &late},
			{ChannelID: ch.ID, ExternalID: "P2", Name: "保留", Subscribed: false, SubscribedAt: &sub, UnsubscribedAt: &sub},
			{ChannelID: ch.ID, ExternalID: "P3", Name: "退訂", Subscribed: true, SubscribedAt: &sub},
			{ChannelID: other.ID, ExternalID: "P1", Name: "別的帳號"},
		}
		if err := db.Create(&seed).Error; err != nil {
			t.Fatal(err)
		}
		// GORM skips a false bool that has a column default: unsubscribe P2 here.
		if err := db.Model(&models.Contact{}).Where("id = ?", seed[1].ID).Update("subscribed", false).Error; err != nil {
			t.Fatal(err)
		}
		old, _ := models.EnsureTags(db, []string{"舊標籤"})
		_ = models.TagContacts(db, []uint64{seed[0].ID}, old)

		res := importCSV(t, db, ch.ID, "external_id,name,subscribed,last_interaction_at,tags\n"+
			"P1,新名,,2026-11-01T00:00:00Z,VIP\n"+ // earlier interaction: kept at late
			"P2,,true,2026-11-24T00:00:00Z,\n"+ // resubscribes; name kept
			"P3,退訂,false,,\n"+
			"P4,新人,,,VIP;台北\n")
		if res.Created != 1 || res.Updated != 3 || res.Bad != 0 {
			t.Fatalf("result %+v", res)
		}
		p1 := contact(t, db, ch, "P1")
		if p1.Name != "新名" || p1.Phone != "0912" || !p1.Subscribed || !p1.SubscribedAt.Equal(sub) || !p1.LastInteractionAt.Equal(late) {
			t.Errorf("P1 = %+v", p1)
		}
		if got := importTagsOf(t, db, p1); strings.Join(got, ",") != "VIP,舊標籤" {
			t.Errorf("P1 tags = %v (tags are added, never removed)", got)
		}
		p2 := contact(t, db, ch, "P2")
		if p2.Name != "保留" || !p2.Subscribed || !p2.SubscribedAt.Equal(importNow) || p2.UnsubscribedAt != nil ||
			!p2.LastInteractionAt.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("P2 = %+v", p2)
		}
		p3 := contact(t, db, ch, "P3")
		if p3.Subscribed || p3.UnsubscribedAt == nil || !p3.UnsubscribedAt.Equal(importNow) || !p3.SubscribedAt.Equal(sub) {
			t.Errorf("P3 = %+v", p3)
		}
		if p4 := contact(t, db, ch, "P4"); len(importTagsOf(t, db, p4)) != 2 {
			t.Errorf("P4 tags = %v", importTagsOf(t, db, p4))
		}
		if o := contact(t, db, other, "P1"); o.Name != "別的帳號" {
			t.Errorf("other channel touched: %+v", o)
		}
		var tags int64
		db.Model(&models.Tag{}).Count(&tags)
		if tags != 3 {
			t.Errorf("%d tags, want 3", tags)
		}

		// Importing the same file again changes nothing but the counts.
		res = importCSV(t, db, ch.ID, "external_id,name,tags\nP4,新人,VIP;台北\n")
		if res.Created != 0 || res.Updated != 1 {
			t.Errorf("re-import %+v", res)
		}
	})
}

// bigCSV builds n rows, cycling through a few tags.
func importBigCSV(n int) string {
	var b strings.Builder
	b.WriteString("external_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\n")
	tags := []string{"VIP", "台北", "新客", "回購", "VIP;台北", ""}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "U%08d,聯絡人 %d,+8869%08d,%v,2026-10-%02dT09:00:00+08:00,2026-11-%02dT12:00:00Z,%s\n",
			i, i, i, i%7 != 0, i%28+1, i%24+1, tags[i%len(tags)])
	}
	return b.String()
}

func TestImport100kRows(t *testing.T) {
	full := importBigCSV(100_000)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		n, text := 100_000, full
		if raceEnabled && !models.IsPostgres(db) {
			// SQLite is Go code too: under -race 100k rows take a minute.
			// The full size runs without -race.
			n, text = 10_000, importBigCSV(10_000)
		}
		ch := mustChannel(t, db, "line")
		f, err := models.OpenContactCSV(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		if f.Rows != n {
			t.Fatalf("rows = %d", f.Rows)
		}
		var calls, lastDone int
		start := time.Now()
		res, err := models.ImportContacts(context.Background(), db, ch.ID, f, models.ImportOptions{Now: importNow,
			Progress: func(done, total int) {
				if done < lastDone || total != n {
					t.Errorf("progress %d/%d after %d", done, total, lastDone)
				}
				calls++
				lastDone = done
			}})
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("imported %d rows in %v: %.0f rows/s", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
		batch := models.DefaultImportBatch
		if !models.IsPostgres(db) {
			batch = models.DefaultSQLiteImportBatch
		}
		if res.Rows != n || res.Created != n || res.Bad != 0 || lastDone != n || calls < n/batch {
			t.Fatalf("result %+v, progress calls %d last %d", res, calls, lastDone)
		}
		var count, links int64
		db.Model(&models.Contact{}).Where("channel_id = ?", ch.ID).Count(&count)
		db.Model(&models.ContactTag{}).Count(&links)
		// Of every 6 rows: 4 have one tag, 1 has two, 1 none.
		wantLinks := 0
		for i := 0; i < n; i++ {
			wantLinks += []int{1, 1, 1, 1, 2, 0}[i%6]
		}
		if count != int64(n) || links != int64(wantLinks) {
			t.Fatalf("contacts %d links %d, want %d and %d", count, links, n, wantLinks)
		}
		var unsub int64
		db.Model(&models.Contact{}).Where("channel_id = ? AND subscribed = ?", ch.ID, false).Count(&unsub)
		if unsub != int64((n+6)/7) {
			t.Fatalf("unsubscribed = %d", unsub)
		}
	})
}

func TestExportRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		src := mustChannel(t, db, "line")
		dst := mustChannel(t, db, "messenger")
		text := "external_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\n" +
			"U1,陳怡君,+886 912 345 678,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北\n" +
			"U2,\"黃, 大明\",,false,2026-10-01T00:00:00Z,,\n" +
			"U3,\"=HYPERLINK(\"\"http://evil\"\")\",,true,,2026-11-21T00:00:00Z,@risky\n" +
			"U4,'=literal,,,,,\n"
		importCSV(t, db, src.ID, text)
		var buf bytes.Buffer
		f, _ := models.ParseContactFilter(url.Values{"status": {"all"}}, time.UTC)
		n, err := models.ExportContacts(context.Background(), db, f.WithChannel(src.ID), &buf, importLoc(t), importNow)
		if err != nil || n != 4 {
			t.Fatalf("export: %d %v", n, err)
		}
		out := buf.String()
		if !strings.HasPrefix(out, "\uFEFFexternal_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\r\n") {
			t.Fatalf("no BOM / header: %q", out[:80])
		}
		for _, want := range []string{
			"U1,陳怡君,+886 912 345 678,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北\r\n",
			"U2,\"黃, 大明\",,false,2026-10-01T08:00:00+08:00,,\r\n",
			"U3,\"'=HYPERLINK(\"\"http://evil\"\")\",,true,2026-11-25T18:00:00+08:00,2026-11-21T08:00:00+08:00,'@risky\r\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("export lacks %q:\n%s", want, out)
			}
		}
		res := importCSV(t, db, dst.ID, out)
		if res.Created != 4 || res.Bad != 0 {
			t.Fatalf("re-import %+v", res)
		}
		for _, id := range []string{"U1", "U2", "U3", "U4"} {
			a, b := contact(t, db, src, id), contact(t, db, dst, id)
			if a.Name != b.Name || a.Phone != b.Phone || a.Subscribed != b.Subscribed || !importSameTime(a.SubscribedAt, b.SubscribedAt) || !importSameTime(a.LastInteractionAt, b.LastInteractionAt) {
				t.Errorf("%s differs:\n%+v\n%+v", id, a, b)
			}
			if ta, tb := importTagsOf(t, db, a), importTagsOf(t, db, b); strings.Join(ta, ";") != strings.Join(tb, ";") {
				t.Errorf("%s tags %v vs %v", id, ta, tb)
			}
		}
		if c := contact(t, db, dst, "U3"); c.Name != `=HYPERLINK("http://evil")` || importTagsOf(t, db, c)[0] != "@risky" {
			t.Errorf("protected cells not restored: %+v", c)
		}
	})
}

func importSameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func TestExportRespectsFilterAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		var b strings.Builder
		b.WriteString("external_id,subscribed,last_interaction_at,tags\n")
		for i := 0; i < 2500; i++ {
			tag := ""
			if i%2 == 0 {
				tag = "VIP"
			}
			last := ""
			if i%5 != 0 {
				last = fmt.Sprintf("2026-11-%02dT00:00:00Z", i%20+1)
			}
			fmt.Fprintf(&b, "E%d,%v,%s,%s\n", i, i%3 != 0, last, tag)
		}
		importCSV(t, db, ch.ID, b.String())
		f, errs := models.ParseContactFilter(url.Values{"channel": {fmt.Sprint(ch.ID)}, "tags_any": {"VIP"}}, time.UTC)
		if errs != nil {
			t.Fatal(errs)
		}
		var buf bytes.Buffer
		n, err := models.ExportContacts(context.Background(), db, f, &buf, time.UTC, importNow)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := models.CountContacts(db, f, importNow)
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
		if int64(n) != want || len(lines) != n+1 || n < 800 {
			t.Fatalf("exported %d (%d lines), filter matches %d", n, len(lines), want)
		}
		seen := map[string]bool{}
		for _, l := range lines[1:] {
			id := strings.SplitN(l, ",", 2)[0]
			if seen[id] {
				t.Fatalf("%s exported twice", id)
			}
			seen[id] = true
			if !strings.HasSuffix(l, ",VIP") || !strings.Contains(l, ",true,") {
				t.Fatalf("row outside the filter: %q", l)
			}
		}
	})
}
