package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// scheduledVia saves and confirms a broadcast to channel ch's contacts,
// made by user by, for at, and waits for the freeze worker to schedule it.
func scheduledVia(t *testing.T, app *testApp, ch *models.Channel, by uint, subject string, at time.Time) *models.Broadcast {
	t.Helper()
	d := models.Draft{ChannelID: ch.ID, Subject: subject, ScheduledAt: &at, ApplyTags: []string{"春季"},
		Content:  models.BroadcastContent{Messages: []models.MessageSpec{{Type: models.MessageText, Text: "您好 {{name}}"}}},
		Audience: models.AudienceSpec{Filter: "channel=" + itoa(ch.ID)}}
	now := app.clock.Now()
	b, err := models.SaveDraft(app.db, d, 0, 0, models.Actor{UserID: by}, models.MethodManual, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, errs, err := models.ConfirmBroadcast(app.db, b.ID, b.Version, models.Actor{UserID: by}, models.ValidateEnv{Now: now}); err != nil || len(errs) > 0 {
		t.Fatalf("confirm: %v %v", err, errs)
	}
	app.jobs.Wake("freeze")
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if b, err = models.FindBroadcast(app.db, b.ID); err == nil && b.Status == models.BroadcastScheduled {
			return b
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("broadcast %d not scheduled: %+v", b.ID, b)
	return nil
}

// editForm is the composer's form for a scheduled LINE broadcast.
func editForm(version int, subject, date, clock, tags string, texts ...string) url.Values {
	f := composerForm("", subject, texts...)
	f.Set("send_mode", "scheduled")
	f.Set("scheduled_date", date)
	f.Set("scheduled_time", clock)
	f.Set("apply_tags", tags)
	f.Set("version", itoa(uint(version)))
	f.Set("op", "save")
	return f
}

// auditDiffKeys lists the fields an entry's diff names.
func auditDiffKeys(t *testing.T, e models.AuditEntry) map[string]bool {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(e.Diff), &m); err != nil {
		t.Fatalf("diff %q: %v", e.Diff, err)
	}
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// A scheduled broadcast opens in the composer filled in, with the
// one-hour recommendation; two people edit at once and the second save is
// refused beside the form with everything typed kept; what is saved last
// is what goes out; a colleague marketer may neither edit nor cancel it;
// every step is audited with a field-level diff.
func TestEditScheduledBroadcastTwoBrowsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		mei := app.addUser("mei@example.com", models.RoleMarketer)
		app.addUser("boss@example.com", models.RoleAdmin)
		app.addUser("lin@example.com", models.RoleMarketer)
		b1 := app.browser()
		b1.signIn("mei@example.com")
		ch, _ := openComposer(t, app, b1, channels.KindLINE)
		at := app.clock.Now().Add(26 * time.Hour).Truncate(time.Minute)
		bc := scheduledVia(t, app, ch, mei.ID, "年終預告", at)
		path := "/broadcasts/" + itoa(bc.ID)

		p := b1.get(path + "/edit")
		wantStatus(t, p, http.StatusOK)
		loc := app.srv.Workspace().Location()
		if v, _ := p.doc.Find(`#subject`).Attr("value"); v != "年終預告" {
			t.Fatalf("subject not filled in: %q", v)
		}
		if p.text(`textarea[name="m_text"]`) != "您好 {{name}}" {
			t.Fatalf("message not filled in: %q", p.text(`textarea[name="m_text"]`))
		}
		if v, _ := p.doc.Find(`#apply_tags`).Attr("value"); v != "春季" {
			t.Fatalf("tags not filled in: %q", v)
		}
		if v, _ := p.doc.Find(`input[name="scheduled_date"]`).Attr("value"); v != at.In(loc).Format("2006-01-02") {
			t.Fatalf("date not filled in: %q", v)
		}
		if v, _ := p.doc.Find(`input[name="scheduled_time"]`).Attr("value"); v != at.In(loc).Format("15:04") {
			t.Fatalf("time not filled in: %q", v)
		}
		w := p.doc.Find(`[data-testid="composer-edit-warning"]`)
		if last, _ := w.Attr("data-last-hour"); w.Length() != 1 || last != "false" || !strings.Contains(w.Text(), "hour") {
			t.Fatalf("no one-hour recommendation: %q %q", last, w.Text())
		}
		version, _ := p.doc.Find(`input[name="version"]`).Attr("value")

		// The admin opens it too, in another browser, and saves first.
		b2 := app.browser()
		b2.lang = "zh-TW"
		b2.signIn("boss@example.com")
		p2 := b2.get(path + "/edit")
		wantStatus(t, p2, http.StatusOK)
		if !strings.Contains(p2.text(`[data-testid="composer-edit-warning"]`), "一小時") {
			t.Fatalf("zh-TW recommendation: %q", p2.text(`[data-testid="composer-edit-warning"]`))
		}
		v2, _ := p2.doc.Find(`input[name="version"]`).Attr("value")
		if v2 != version {
			t.Fatalf("versions differ: %s %s", version, v2)
		}
		later := at.Add(2 * time.Hour).In(loc)
		f := editForm(bc.Version, "年終預告（更新）", later.Format("2006-01-02"), later.Format("15:04"), "春季, VIP", "新內容 {{name}}")
		res := b2.post(path, f)
		if res.status != http.StatusSeeOther {
			t.Fatalf("errors: %v", res.doc.Find(`[data-testid="composer-error"]`).Map(func(_ int, s *goquery.Selection) string { c, _ := s.Attr("data-code"); return c + ":" + s.Text() }))
		}
		if res.location() != path {
			t.Fatalf("saved scheduled edit went to %q", res.location())
		}

		// Mei saves on the old version: refused, nothing lost.
		f = editForm(bc.Version, "美的版本", at.In(loc).Format("2006-01-02"), at.In(loc).Format("15:04"), "春季", "我打的字")
		res = b1.post(path, f)
		wantStatus(t, res, http.StatusConflict)
		if n := res.text(`[data-testid="composer-notice"]`); !strings.Contains(n, "Someone else saved") {
			t.Fatalf("no clear stale message: %q", n)
		}
		if v, _ := res.doc.Find(`#subject`).Attr("value"); v != "美的版本" {
			t.Fatalf("typed subject lost: %q", v)
		}
		if res.text(`textarea[name="m_text"]`) != "我打的字" {
			t.Fatalf("typed text lost: %q", res.text(`textarea[name="m_text"]`))
		}
		got, _ := models.FindBroadcast(db, bc.ID)
		spec, _ := got.Spec()
		if got.Subject != "年終預告（更新）" || spec.Messages[0].Text != "新內容 {{name}}" || !got.ScheduledAt.Equal(later) ||
			strings.Join(got.Tags(), ",") != "春季,VIP" || got.Status != models.BroadcastScheduled || got.Version != bc.Version+1 {
			t.Fatalf("saved last: %+v %+v", got, spec)
		}

		// An edit that confirming would refuse is not stored.
		res = b2.post(path, editForm(got.Version, "", later.Format("2006-01-02"), later.Format("15:04"), "", "x"))
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if again, _ := models.FindBroadcast(db, bc.ID); again.Version != got.Version || again.Subject != got.Subject {
			t.Fatalf("an invalid edit of a scheduled broadcast was saved: %+v", again)
		}

		// A colleague marketer may neither open, save nor cancel it.
		b3 := app.browser()
		b3.signIn("lin@example.com")
		wantStatus(t, b3.get(path+"/edit"), http.StatusForbidden)
		b3.get("/broadcasts")
		wantStatus(t, b3.post(path, editForm(got.Version, "lin", later.Format("2006-01-02"), later.Format("15:04"), "", "x")), http.StatusForbidden)
		wantStatus(t, b3.post(path+"/cancel", url.Values{}), http.StatusForbidden)

		// Within the last hour: warned, still allowed.
		app.clock.Set(later.Add(-30 * time.Minute))
		p = b1.get(path + "/edit")
		wantStatus(t, p, http.StatusOK)
		if last, _ := p.doc.Find(`[data-testid="composer-edit-warning"]`).Attr("data-last-hour"); last != "true" {
			t.Fatalf("no last-hour warning: %q", last)
		}
		res = b1.post(path, editForm(got.Version, "最後修改", later.Format("2006-01-02"), later.Format("15:04"), "春季, VIP", "新內容 {{name}}"))
		wantStatus(t, res, http.StatusSeeOther)

		// The owner cancels it.
		b1.get(path)
		wantStatus(t, b1.post(path+"/cancel", url.Values{}), http.StatusSeeOther)

		entries, err := models.ListAudit(db, bc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		want := []string{"create", "confirm", "frozen", "update", "update", "status:cancelled"}
		if strings.Join(actions, " ") != strings.Join(want, " ") {
			t.Fatalf("audit %v, want %v", actions, want)
		}
		first := auditDiffKeys(t, entries[3])
		for _, k := range []string{"subject", "scheduled_at", "apply_tags", "content"} {
			if !first[k] {
				t.Errorf("the admin's edit does not name %s: %s", k, entries[3].Diff)
			}
		}
		if entries[3].UserID == nil || *entries[3].UserID == mei.ID {
			t.Errorf("the admin's edit is not theirs: %v", entries[3].UserID)
		}
		if k := auditDiffKeys(t, entries[4]); len(k) != 1 || !k["subject"] {
			t.Errorf("the last edit's diff: %s", entries[4].Diff)
		}
		if entries[5].UserID == nil || *entries[5].UserID != mei.ID {
			t.Errorf("cancel not audited as mei's")
		}
		// Cancelled: no longer editable.
		if p := b1.get(path + "/edit"); p.status != http.StatusSeeOther {
			t.Fatalf("a cancelled broadcast opens in the composer: %d", p.status)
		}
	})
}
