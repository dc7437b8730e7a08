package models_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"
	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// big5File holds "陳怡君" and "王小明" as Taiwanese Excel saves it: real Big5 bytes
// (陳 B3AF, 怡 A9C9, 君 A767, 王 A4FD, 小 A470, 明 A9FA).
const big5File = "external_id,name,tags\r\n" +
	"U1,\xb3\xaf\xa9\xc9\xa7\x67,VIP\r\n" +
	"U2,\xa4\xfd\xa4\x70\xa9\xfa,\r\n"

// utf16 encodes s as Excel's "Unicode text": UTF-16 with a BOM.
func utf16(t *testing.T, s string, big bool) []byte {
	t.Helper()
	order := unicode.LittleEndian
	if big {
		order = unicode.BigEndian
	}
	out, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportReadsBig5AndUTF16(t *testing.T) {
	tabbed := "external_id\tname\tphone\r\nU1\t陳怡君\t0912-345-678\r\nU2\t王小明\t\r\n"
	cases := []struct {
		name, enc string
		raw       []byte
	}{
		{"big5 (Excel's plain CSV)", models.EncodingBig5, []byte(big5File)},
		{"utf-16le with BOM, tab-separated (Excel's Unicode text)", models.EncodingUTF16LE, utf16(t, tabbed, false)},
		{"utf-16be with BOM", models.EncodingUTF16BE, utf16(t, "external_id,name\nU1,陳怡君\nU2,王小明\n", true)},
		{"utf-16le that lost its BOM", models.EncodingUTF16LE, utf16(t, tabbed, false)[2:]},
		{"utf-8 with BOM", models.EncodingUTF8, []byte("\uFEFFexternal_id,name\nU1,陳怡君\nU2,王小明\n")},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if err := db.Where("channel_id = ?", ch.ID).Delete(&models.Contact{}).Error; err != nil {
					t.Fatal(err)
				}
				f, err := models.OpenContactCSV(bytes.NewReader(tc.raw))
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				if f.Encoding != tc.enc || f.Rows != 2 {
					t.Fatalf("encoding %q rows %d, want %q 2", f.Encoding, f.Rows, tc.enc)
				}
				res, err := models.ImportContacts(context.Background(), db, ch.ID, f, models.ImportOptions{Now: importNow})
				if err != nil || res.Created != 2 || res.Bad != 0 {
					t.Fatalf("import %+v %v", res, err)
				}
				if c := contact(t, db, ch, "U1"); c.Name != "陳怡君" {
					t.Fatalf("U1 name %q", c.Name)
				}
				if c := contact(t, db, ch, "U2"); c.Name != "王小明" {
					t.Fatalf("U2 name %q", c.Name)
				}
			})
		}
	})
}

func TestImportRejectsTimesOutsideTheirRange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		// importNow is 2026-11-25T10:00Z: times up to a day later pass.
		res := importCSV(t, db, ch.ID, "external_id,name,subscribed_at,last_interaction_at\n"+
			"X,t,9999-12-31T23:59:59-01:00,\n"+ // 2: year 10000 in UTC
			"Y,t,,1969-12-31T23:59:59Z\n"+ // 3: before 1970
			"Z,t,2026-11-26T10:00:01Z,\n"+ // 4: more than a day ahead
			"OK1,t,1970-01-01T00:00:00Z,2026-11-26T09:59:59Z\n"+ // 5: both bounds inside
			"OK2,t,2026/11/2,\n") // 6
		if res.Created != 2 || res.Bad != 3 {
			t.Fatalf("result %+v", res)
		}
		for i, want := range []struct {
			line int
			col  string
		}{{2, "subscribed_at"}, {3, "last_interaction_at"}, {4, "subscribed_at"}} {
			got := res.BadRows[i]
			if got.Line != want.line || got.Column != want.col || !errors.Is(got.Reason, models.ErrImportTimeRange) {
				t.Errorf("bad row %d = %+v, want line %d %s out of range", i, got, want.line, want.col)
			}
		}
		if res.BadRows[0].Value != "9999-12-31T23:59:59-01:00" {
			t.Errorf("value %q", res.BadRows[0].Value)
		}
		// The account's list and export still work.
		f, _ := models.ParseContactFilter(url.Values{"status": {"all"}}, time.UTC)
		var buf bytes.Buffer
		if n, err := models.ExportContacts(context.Background(), db, f.WithChannel(ch.ID), &buf, time.UTC, importNow); err != nil || n != 2 {
			t.Fatalf("export after import: %d %v", n, err)
		}
	})
}

func TestImportRefusesRowsWithNUL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		res := importCSV(t, db, ch.ID, "external_id,name,tags\n"+
			"U1,ok,VIP\n"+
			"U2,bad\x00name,\n"+
			"U3\x00,x,\n"+
			"U4,ok,tag\x00\n"+
			"U5,fine,\n")
		if res.Created != 2 || res.Bad != 3 {
			t.Fatalf("result %+v", res)
		}
		for i, line := range []int{3, 4, 5} {
			if got := res.BadRows[i]; got.Line != line || !errors.Is(got.Reason, models.ErrImportRowNUL) {
				t.Errorf("bad row %d = %+v, want line %d NUL", i, got, line)
			}
		}
		contact(t, db, ch, "U1")
		contact(t, db, ch, "U5")
	})
}

func TestImportNormalisesPhones(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "whatsapp")
		f, err := models.OpenContactCSV(strings.NewReader("external_id,phone\n" +
			"P1,0912-345-678\n" +
			"P2,+886 912 345 679\n" +
			"P3,9123 4567\n" + // a Hong Kong mobile, in a Hong Kong workspace
			"P4,call me\n" +
			"P5,\n"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := models.ImportContacts(context.Background(), db, ch.ID, f, models.ImportOptions{Now: importNow, Region: models.PhoneRegion("Asia/Hong_Kong")})
		if err != nil || res.Created != 3 || res.Bad != 2 {
			t.Fatalf("import %+v %v", res, err)
		}
		// 0912-345-678 is no Hong Kong number: without a country code it is
		// read in the workspace's region.
		if b := res.BadRows[0]; b.Line != 2 || b.Column != "phone" || b.Value != "0912-345-678" || !errors.Is(b.Reason, models.ErrPhoneInvalid) {
			t.Errorf("bad row %+v", b)
		}
		if b := res.BadRows[1]; b.Line != 5 || b.Value != "call me" || !errors.Is(b.Reason, models.ErrPhoneInvalid) {
			t.Errorf("bad row %+v", b)
		}
		for id, want := range map[string]string{"P2": "+886912345679", "P3": "+85291234567", "P5": ""} {
			if c := contact(t, db, ch, id); c.Phone != want {
				t.Errorf("%s phone %q, want %q", id, c.Phone, want)
			}
		}
	})
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "whatsapp")
		res := importCSV(t, db, ch.ID, "external_id,phone\nP1,0912-345-678\nP2,+852 9123 4567\nP3,\n") // Taiwan by default
		if res.Created != 3 || res.Bad != 0 {
			t.Fatalf("result %+v", res)
		}
		for id, want := range map[string]string{"P1": "+886912345678", "P2": "+85291234567", "P3": ""} {
			if c := contact(t, db, ch, id); c.Phone != want {
				t.Errorf("%s phone %q, want %q", id, c.Phone, want)
			}
		}
		var buf bytes.Buffer
		f, _ := models.ParseContactFilter(url.Values{"status": {"all"}}, time.UTC)
		if _, err := models.ExportContacts(context.Background(), db, f.WithChannel(ch.ID), &buf, time.UTC, importNow); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"P1,,+886 912 345 678,", "P2,,+852 9123 4567,"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("export lacks %q:\n%s", want, buf.String())
			}
		}
	})
}

// TestExportNeutralisesFormulas: every cell a spreadsheet could run is
// protected by an apostrophe, which import removes again; an apostrophe
// that is part of the value survives both ways.
func TestExportNeutralisesFormulas(t *testing.T) {
	names := []string{
		"=1+1", "+1", "-1", "@SUM(A1)",
		" =1+1", "  +cmd", "\t=cmd", " \t@x", "\u3000=1",
		"＝1+1", "＋886", "－1", "＠x", " ＝x",
		"'-'", "'=literal", "''=x", "'Ace", "'90s", "O'Neil", "普通的名字",
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		src := mustChannel(t, db, "whatsapp")
		dst := mustChannel(t, db, "line")
		for i, n := range names {
			c := models.Contact{ChannelID: src.ID, ExternalID: "N" + string(rune('a'+i)), Name: n, Subscribed: true}
			if err := db.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
		}
		// Phones as webhooks or older versions may have stored them.
		for id, phone := range map[string]string{"PH1": "+886912345678", "PH2": "=HYPERLINK(\"x\")", "PH3": "+1+1", "PH4": " +886912345678", "PH5": "-5"} {
			if err := db.Create(&models.Contact{ChannelID: src.ID, ExternalID: id, Phone: phone, Subscribed: true}).Error; err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		f, _ := models.ParseContactFilter(url.Values{"status": {"all"}}, time.UTC)
		if _, err := models.ExportContacts(context.Background(), db, f.WithChannel(src.ID), &buf, time.UTC, importNow); err != nil {
			t.Fatal(err)
		}
		rows := exportedRows(t, buf.String())
		for i, n := range names {
			got := rows["N"+string(rune('a'+i))][1]
			trimmed := strings.TrimLeft(n, " \t\u3000")
			dangerous := trimmed != "" && strings.ContainsRune("=+-@＝＋－＠", []rune(trimmed)[0]) || strings.HasPrefix(n, "\t")
			switch {
			case dangerous && got != "'"+n:
				t.Errorf("name %q exported as %q, want it protected", n, got)
			case strings.HasPrefix(n, "'") && strings.ContainsRune("=+-@'", rune(n[1])) && got != "'"+n:
				t.Errorf("name %q exported as %q, want its apostrophe kept by a second one", n, got)
			case !dangerous && !strings.HasPrefix(n, "'") && got != n:
				t.Errorf("harmless name %q exported as %q", n, got)
			}
		}
		for id, want := range map[string]string{"PH1": "+886 912 345 678", "PH2": "'=HYPERLINK(\"x\")", "PH3": "'+1+1", "PH4": "' +886912345678", "PH5": "'-5"} {
			if got := rows[id][2]; got != want {
				t.Errorf("phone of %s exported as %q, want %q", id, got, want)
			}
		}

		// Import brings every name back as it was.
		imp, err := models.OpenContactCSV(strings.NewReader(buf.String()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.ImportContacts(context.Background(), db, dst.ID, imp, models.ImportOptions{Now: importNow}); err != nil {
			t.Fatal(err)
		}
		for i, n := range names {
			id := "N" + string(rune('a'+i))
			if c := contact(t, db, dst, id); c.Name != n {
				t.Errorf("%s: name %q came back as %q", id, n, c.Name)
			}
		}
	})
}

func TestImportKeepsARealLeadingApostrophe(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, "line")
		importCSV(t, db, ch.ID, "external_id,name,tags\nA1,'Ace,'90s\nA2,''-',\nA3,'+886,'@vip\n")
		for id, want := range map[string]string{"A1": "'Ace", "A2": "'-'", "A3": "+886"} {
			if c := contact(t, db, ch, id); c.Name != want {
				t.Errorf("%s name %q, want %q", id, c.Name, want)
			}
		}
		if got := importTagsOf(t, db, contact(t, db, ch, "A1")); len(got) != 1 || got[0] != "'90s" {
			t.Errorf("A1 tags %v", got)
		}
		if got := importTagsOf(t, db, contact(t, db, ch, "A3")); len(got) != 1 || got[0] != "@vip" {
			t.Errorf("A3 tags %v", got)
		}
	})
}

// exportedRows maps external_id to the cells of an exported file.
func exportedRows(t *testing.T, text string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, line := range strings.Split(strings.TrimPrefix(text, "\uFEFF"), "\r\n")[1:] {
		if line == "" {
			continue
		}
		cells := splitCSVLine(t, line)
		out[cells[0]] = cells
	}
	return out
}

func splitCSVLine(t *testing.T, line string) []string {
	t.Helper()
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	return rec
}

func TestImportPreviewShowsWhatWillHappen(t *testing.T) {
	f, err := models.OpenContactCSV(strings.NewReader("External_ID,name,phone,subscribed_at,favourite colour\n" +
		"U1,陳怡君,0912-345-678,2026-11-01 09:30,blue\n" +
		"U2,王,,maybe-not-a-date,red\n" +
		"U1,dup,,,green\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.Preview(models.RowOptions{Now: importNow, Location: importLoc(t)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 3 || p.Bad != 2 || !p.MostlyBad() || len(p.Rows) != 3 || len(p.BadRows) != 2 {
		t.Fatalf("preview %+v", p)
	}
	var known []string
	for _, c := range p.Columns {
		if c.Known {
			known = append(known, c.Name)
		}
	}
	if strings.Join(known, ",") != "external_id,name,phone,subscribed_at" || p.Columns[4].Known || p.Columns[4].Name != "favourite colour" {
		t.Errorf("columns %+v", p.Columns)
	}
	r := p.Rows[0]
	if r.ExternalID != "U1" || r.Phone != "+886912345678" || r.SubscribedAt == nil || !r.SubscribedAt.Equal(time.Date(2026, 11, 1, 1, 30, 0, 0, time.UTC)) || r.Error != nil {
		t.Errorf("row 1 %+v", r)
	}
	if e := p.Rows[1].Error; e == nil || e.Line != 3 || !errors.Is(e.Reason, models.ErrImportTime) || p.Rows[1].Cells[3] != "maybe-not-a-date" {
		t.Errorf("row 2 %+v", p.Rows[1])
	}
	if e := p.Rows[2].Error; e == nil || !errors.Is(e.Reason, models.ErrImportDuplicate) || e.FirstLine != 2 {
		t.Errorf("row 3 %+v", p.Rows[2])
	}
}
