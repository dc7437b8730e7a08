package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// reportBroadcast writes a broadcast in a given state with its counters.
func reportBroadcast(t *testing.T, db *gorm.DB, ch *models.Channel, by uint, subject, status string, at time.Time, mod func(*models.Broadcast)) *models.Broadcast {
	t.Helper()
	b := &models.Broadcast{ChannelID: ch.ID, Subject: subject, Status: status, ScheduledAt: &at, CreatedBy: by, UpdatedBy: by,
		Method: models.MethodManual, Content: `{"messages":[{"type":"text","text":"hi"}]}`}
	if status == models.BroadcastDone || status == models.BroadcastSending || status == models.BroadcastPaused {
		b.StartedAt = &at
	}
	if mod != nil {
		mod(b)
	}
	if err := db.Create(b).Error; err != nil {
		t.Fatal(err)
	}
	return b
}

func reportChannel(t *testing.T, db *gorm.DB, kind, name string) *models.Channel {
	t.Helper()
	ch := &models.Channel{Kind: kind, Name: name, ExternalID: "ext-" + name, Credentials: []byte{}}
	if err := db.Create(ch).Error; err != nil {
		t.Fatal(err)
	}
	return ch
}

// rowsOf reads the report's rows: id → data attributes.
func rowsOf(p page) map[string]map[string]string {
	out := map[string]map[string]string{}
	p.doc.Find(`[data-testid="broadcast-row"]`).Each(func(_ int, s *goquery.Selection) {
		attrs := map[string]string{}
		for _, k := range []string{"data-status", "data-sent", "data-delivered", "data-read", "data-failed", "data-skipped", "data-uncertain"} {
			attrs[k], _ = s.Attr(k)
		}
		id, _ := s.Attr("data-id")
		out[id] = attrs
	})
	return out
}

// The report lists broadcasts with their counts as data attributes, filters
// by channel, account, status, creator and date, and pages by cursor; an
// empty workspace is led to the contacts page.
func TestReportListFiltersAndCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		other := app.addUser("other@example.com", models.RoleMarketer)
		br := app.browser()
		br.signIn("owner@example.com")

		empty := br.get("/broadcasts")
		wantStatus(t, empty, http.StatusOK)
		if empty.doc.Find(`[data-testid="report-empty"] a[href="/contacts"]`).Length() != 1 {
			t.Fatalf("the empty report does not lead to the contacts page: %.600s", empty.text(".card"))
		}

		line := reportChannel(t, db, channels.KindLINE, "台北門市")
		msgr := reportChannel(t, db, channels.KindMessenger, "粉絲專頁")
		day := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
		done := reportBroadcast(t, db, msgr, owner.ID, "雙十一感謝", models.BroadcastDone, day, func(b *models.Broadcast) {
			b.AudienceCount, b.SentCount, b.DeliveredCount, b.ReadCount, b.FailedCount, b.SkippedCount, b.UncertainCount = 10, 7, 6, 3, 1, 1, 1
		})
		sched := reportBroadcast(t, db, line, other.ID, "年終預告", models.BroadcastScheduled, time.Date(2027, 1, 5, 2, 0, 0, 0, time.UTC), func(b *models.Broadcast) {
			b.AudienceCount, b.Method = 4, models.MethodAPI
		})
		paused := reportBroadcast(t, db, line, owner.ID, "新品", models.BroadcastPaused, day.AddDate(0, 0, 2), func(b *models.Broadcast) {
			b.AudienceCount, b.FrozenCount, b.SentCount, b.PendingCount = 8, 8, 2, 6
		})

		all := br.get("/broadcasts")
		wantStatus(t, all, http.StatusOK)
		rows := rowsOf(all)
		if len(rows) != 3 {
			t.Fatalf("rows %v", rows)
		}
		got := rows[strconv.FormatUint(uint64(done.ID), 10)]
		for k, want := range map[string]string{"data-status": "done", "data-sent": "7", "data-delivered": "6", "data-read": "3", "data-failed": "1", "data-skipped": "1", "data-uncertain": "1"} {
			if got[k] != want {
				t.Errorf("done row %s = %q, want %q", k, got[k], want)
			}
		}
		if !strings.Contains(all.body, "60.0%") { // delivered 6 of 10
			t.Errorf("delivery rate missing")
		}
		pausedRow := all.doc.Find(fmt.Sprintf(`[data-testid="broadcast-row"][data-id="%d"]`, paused.ID))
		if v, _ := pausedRow.Find(`[data-testid="broadcast-progress"]`).Attr("data-percent"); v != "25" {
			t.Errorf("paused progress %q, want 25", v)
		}
		schedRow := all.doc.Find(fmt.Sprintf(`[data-testid="broadcast-row"][data-id="%d"]`, sched.ID))
		if _, ok := schedRow.Attr("hx-get"); !ok {
			t.Errorf("a scheduled row does not poll")
		}
		if _, ok := all.doc.Find(fmt.Sprintf(`[data-testid="broadcast-row"][data-id="%d"]`, done.ID)).Attr("hx-get"); ok {
			t.Errorf("a done row still polls")
		}
		if schedRow.Find(`[data-testid="broadcast-edit"]`).Length() != 0 {
			t.Errorf("the owner may not edit a colleague's scheduled broadcast")
		}
		if !strings.Contains(schedRow.Text(), "API") {
			t.Errorf("method API not shown: %q", schedRow.Text())
		}

		for q, want := range map[string][]uint{
			"status=scheduled":                               {sched.ID},
			"kind=messenger":                                 {done.ID},
			"channel=" + uidStr(line.ID):                     {paused.ID, sched.ID},
			"creator=" + uidStr(owner.ID):                    {paused.ID, done.ID},
			"from=2026-11-20&to=2026-11-21":                  {done.ID},
			"from=2026-11-21&to=2026-11-30":                  {paused.ID},
			"status=nonsense&kind=" + url.QueryEscape("<x>"): {paused.ID, sched.ID, done.ID},
		} {
			p := br.get("/broadcasts?" + q)
			wantStatus(t, p, http.StatusOK)
			var ids []uint
			p.doc.Find(`[data-testid="broadcast-row"]`).Each(func(_ int, s *goquery.Selection) {
				id, _ := s.Attr("data-id")
				n, _ := strconv.ParseUint(id, 10, 32)
				ids = append(ids, uint(n))
			})
			if fmt.Sprint(ids) != fmt.Sprint(sortDesc(want)) {
				t.Errorf("%s: rows %v, want %v", q, ids, sortDesc(want))
			}
		}
		if br.get("/broadcasts?status=cancelled").doc.Find(`[data-testid="report-no-match"]`).Length() != 1 {
			t.Errorf("no-match message missing")
		}

		for i := range 52 {
			reportBroadcast(t, db, msgr, owner.ID, "批次 "+strconv.Itoa(i), models.BroadcastCancelled, day, nil)
		}
		first := br.get("/broadcasts?status=cancelled")
		if n := first.doc.Find(`[data-testid="broadcast-row"]`).Length(); n != reportPageSize {
			t.Fatalf("first page %d rows", n)
		}
		next, ok := first.doc.Find(`[data-testid="report-next"]`).Attr("href")
		if !ok || !strings.Contains(next, "status=cancelled") {
			t.Fatalf("next link %q", next)
		}
		second := br.get(next)
		if n := second.doc.Find(`[data-testid="broadcast-row"]`).Length(); n != 2 {
			t.Fatalf("second page %d rows", n)
		}
		if second.doc.Find(`[data-testid="report-next"]`).Length() != 0 {
			t.Fatal("a last page links further")
		}
	})
}

func uidStr(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func sortDesc(ids []uint) []uint {
	out := append([]uint(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] > out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// The export is UTF-8 CSV with a BOM, one line per broadcast of the range.
func TestReportExportCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		br := app.browser()
		br.signIn("owner@example.com")
		ch := reportChannel(t, db, channels.KindMessenger, "粉絲專頁")
		in := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
		reportBroadcast(t, db, ch, owner.ID, "=SUM(A1)", models.BroadcastDone, in, func(b *models.Broadcast) { b.AudienceCount, b.SentCount = 5, 4 })
		reportBroadcast(t, db, ch, owner.ID, "十月", models.BroadcastDone, in.AddDate(0, -1, 0), nil)
		p := br.get("/broadcasts.csv?from=2026-11-01&to=2026-11-30")
		wantStatus(t, p, http.StatusOK)
		if !strings.HasPrefix(p.body, models.CSVBOM) {
			t.Fatal("no BOM")
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, models.CSVBOM))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || strings.Join(recs[0], ",") != strings.Join(models.BroadcastCSVHeader, ",") {
			t.Fatalf("csv %v", recs)
		}
		if recs[1][1] != "'=SUM(A1)" || recs[1][3] != "粉絲專頁" || recs[1][8] != "5" || recs[1][9] != "4" {
			t.Fatalf("row %v", recs[1])
		}
		if cd := p.header.Get("Content-Disposition"); !strings.Contains(cd, "broadcasts-2026-11-01_2026-11-30.csv") {
			t.Errorf("file name %q", cd)
		}
	})
}

// A broadcast's page shows the headline figures with how each is
// computed, the funnel, the reasons with advice, and the audit trail; a
// sending one polls its figures and offers pause to its creator only.
func TestBroadcastPageFiguresReasonsAudit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		app.addUser("other@example.com", models.RoleMarketer)
		ch := reportChannel(t, db, channels.KindMessenger, "粉絲專頁")
		at := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
		b := reportBroadcast(t, db, ch, owner.ID, "感謝祭", models.BroadcastPaused, at, func(b *models.Broadcast) {
			b.AudienceCount, b.FrozenCount, b.SentCount, b.DeliveredCount, b.ReadCount, b.FailedCount, b.SkippedCount = 6, 6, 2, 2, 1, 2, 1
			b.PendingCount, b.PauseReason, b.UnsubscribedCount = 1, channels.ReasonInvalidToken, 1
		})
		for i, st := range []struct{ state, reason string }{
			{models.DeliverySent, ""}, {models.DeliverySent, ""}, {models.DeliveryFailed, channels.ReasonOutsideWindow},
			{models.DeliveryFailed, channels.ReasonOutsideWindow}, {models.DeliverySkipped, models.SkipUnsubscribed}, {models.DeliveryPending, ""},
		} {
			c := models.Contact{ChannelID: ch.ID, ExternalID: "p" + strconv.Itoa(i), Subscribed: true}
			if err := db.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Create(&models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: st.state, Reason: st.reason, UpdatedAt: at}).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := models.Audit(db, models.Actor{UserID: owner.ID}, models.AuditEntry{BroadcastID: &b.ID, Action: "update",
			Diff: models.AuditDiff(map[string]models.FieldChange{"subject": {Old: "感謝", New: "感謝祭"}})}, at); err != nil {
			t.Fatal(err)
		}

		ownerBr := app.browser()
		ownerBr.lang = "zh-TW"
		ownerBr.signIn("owner@example.com")
		p := ownerBr.get("/broadcasts/" + uidStr(b.ID))
		wantStatus(t, p, http.StatusOK)
		for key, want := range map[string]string{"audience": "6", "sent": "2", "delivered": "2", "read": "1", "failed": "2", "skipped": "1", "unsubscribed": "1"} {
			fig := p.doc.Find(`[data-testid="figure-` + key + `"]`)
			if got := strings.TrimSpace(fig.Find(".value").Text()); got != want {
				t.Errorf("figure %s = %q, want %q", key, got, want)
			}
			if how, _ := fig.Attr("title"); how == "" {
				t.Errorf("figure %s has no explanation", key)
			}
		}
		if how, _ := p.doc.Find(`[data-testid="figure-read"]`).Attr("title"); !strings.Contains(how, "已讀 ÷ 已送達") {
			t.Errorf("read rate explanation %q", how)
		}
		if n := p.doc.Find(`[data-testid="funnel"] g[data-step]`).Length(); n != 5 {
			t.Errorf("funnel steps %d", n)
		}
		reason := p.doc.Find(`[data-testid="reason"][data-reason="outside_window"]`)
		if c, _ := reason.Attr("data-count"); c != "2" || !strings.Contains(reason.Text(), "訊息標籤") {
			t.Errorf("outside-window reason: count %q text %q", c, reason.Text())
		}
		if c, _ := p.doc.Find(`[data-testid="reason"][data-reason="unsubscribed"]`).Attr("data-count"); c != "1" {
			t.Errorf("unsubscribed count %q", c)
		}
		if !strings.Contains(p.text(`[data-testid="broadcast-notice"]`), "權杖") {
			t.Errorf("pause reason not in words: %q", p.text(`[data-testid="broadcast-notice"]`))
		}
		if got := p.text(`[data-testid="broadcast-messages"] li`); got != "hi" {
			t.Errorf("messages as sent: %q", got)
		}
		if got := p.text(`[data-testid="broadcast-conditions"] li`); !strings.Contains(got, "6 位聯絡人") {
			t.Errorf("audience conditions: %q", got)
		}
		if p.doc.Find(`[data-testid="broadcast-resume"]`).Length() != 1 {
			t.Error("the creator gets no resume")
		}
		audit := p.doc.Find(`[data-testid="audit-entry"][data-action="update"]`)
		if !strings.Contains(audit.Text(), "subject: 感謝 → 感謝祭") || !strings.Contains(audit.Text(), "owner") {
			t.Errorf("audit entry %q", audit.Text())
		}
		if _, ok := p.doc.Find(`[data-testid="report-figures"]`).Attr("hx-get"); !ok {
			t.Error("a paused broadcast's figures do not poll")
		}
		frag := ownerBr.get("/broadcasts/" + uidStr(b.ID) + "/figures")
		wantStatus(t, frag, http.StatusOK)
		if frag.doc.Find(`[data-testid="funnel"]`).Length() != 1 {
			t.Error("the figures fragment has no funnel")
		}

		otherBr := app.browser()
		otherBr.signIn("other@example.com")
		op := otherBr.get("/broadcasts/" + uidStr(b.ID))
		wantStatus(t, op, http.StatusOK)
		if op.doc.Find(`[data-testid="broadcast-resume"], [data-testid="broadcast-cancel"]`).Length() != 0 {
			t.Error("a colleague gets the creator's controls")
		}
		wantStatus(t, otherBr.post("/broadcasts/"+uidStr(b.ID)+"/resume", url.Values{}), http.StatusForbidden)
		wantStatus(t, ownerBr.get("/broadcasts/987654"), http.StatusNotFound)
	})
}

// A sending row shows its progress and the time left, and polls.
func TestReportRowProgressWhileSending(t *testing.T) {
	start := time.Date(2026, 11, 25, 9, 59, 0, 0, time.UTC)
	b := models.Broadcast{Status: models.BroadcastSending, StartedAt: &start, FrozenCount: 400, AudienceCount: 400, SentCount: 100}
	p := b.ProgressAt(start.Add(time.Minute))
	if p.Percent() != 25 || p.Left != 3*time.Minute {
		t.Fatalf("progress %+v", p)
	}
	if (&models.Broadcast{}).ProgressAt(start).Percent() != 0 {
		t.Fatal("an empty broadcast has progress")
	}
}
