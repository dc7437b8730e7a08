package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// outcomeFixture is a done broadcast of ten people with a known outcome:
//
//	1 read, clicked button 0   2 read, replied   3 delivered   4 sent
//	5 failed rate_limited   6 failed no_such_user (name "=HYPERLINK…")
//	7 failed temporary   8 skipped unsubscribed   9 uncertain no_answer
//	10 delivered, clicked button 1
type outcomeFixture struct {
	ch       *models.Channel
	b        *models.Broadcast
	contacts []uint64
}

func newOutcomeFixture(t *testing.T, db *gorm.DB, owner uint, mod func(*models.Broadcast)) outcomeFixture {
	t.Helper()
	ch := reportChannel(t, db, channels.KindMessenger, "粉絲專頁")
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	var ids []uint64
	for i := 1; i <= 10; i++ {
		name := fmt.Sprintf("客人 %02d", i)
		if i == 6 {
			name = `=HYPERLINK("x")`
		}
		c := models.Contact{ChannelID: ch.ID, ExternalID: fmt.Sprintf("psid-%02d", i), Name: name, Subscribed: true,
			SubscribedAt: &now, LastInteractionAt: &now}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	b := reportBroadcast(t, db, ch, owner, "週年慶", models.BroadcastDone, now, func(b *models.Broadcast) {
		b.AudienceCount, b.FrozenCount, b.SentCount, b.DeliveredCount, b.ReadCount = 10, 10, 5, 4, 2
		b.FailedCount, b.SkippedCount, b.UncertainCount, b.ClickedCount, b.RepliedCount = 3, 1, 1, 2, 1
		b.FinishedAt = &now
		if mod != nil {
			mod(b)
		}
	})
	at := func(m int) *time.Time { v := now.Add(time.Duration(m) * time.Minute); return &v }
	rows := []models.Delivery{
		{State: models.DeliverySent, SentAt: at(1), DeliveredAt: at(2), ReadAt: at(3), ClickedAt: at(4)},
		{State: models.DeliverySent, SentAt: at(1), DeliveredAt: at(2), ReadAt: at(3), RepliedAt: at(5)},
		{State: models.DeliverySent, SentAt: at(1), DeliveredAt: at(2)},
		{State: models.DeliverySent, SentAt: at(1)},
		{State: models.DeliveryFailed, Reason: channels.ReasonRateLimited, Attempts: 8},
		{State: models.DeliveryFailed, Reason: channels.ReasonNoSuchUser},
		{State: models.DeliveryFailed, Reason: channels.ReasonTemporary},
		{State: models.DeliverySkipped, Reason: models.SkipUnsubscribed},
		{State: models.DeliveryUncertain, Reason: channels.ReasonNoAnswer},
		{State: models.DeliverySent, SentAt: at(1), DeliveredAt: at(2), ClickedAt: at(6)},
	}
	for i := range rows {
		rows[i].BroadcastID, rows[i].ContactID, rows[i].UpdatedAt = b.ID, ids[i], now
		if err := db.Create(&rows[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	for i, btn := range map[int]int{0: 0, 9: 1} {
		err := db.Transaction(func(tx *gorm.DB) error {
			_, err := models.RecordTap(tx, ids[i], channels.TapPayload{BroadcastID: b.ID, ModuleID: 7, Button: btn}, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return outcomeFixture{ch: ch, b: b, contacts: ids}
}

// The recipients table filters by status and name and pages by cursor,
// on the page and in the API, against the known outcome.
func TestReportRecipientsTableAndAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		fx := newOutcomeFixture(t, db, owner.ID, nil)
		br := app.browser()
		br.signIn("owner@example.com")
		path := fmt.Sprintf("/broadcasts/%d", fx.b.ID)

		want := map[string]int{"all": 10, "sent": 5, "delivered": 4, "read": 2, "clicked": 2, "replied": 1, "failed": 3, "skipped": 1, "uncertain": 1}
		for status, n := range want {
			p := br.get(path + "?status=" + status)
			wantStatus(t, p, http.StatusOK)
			if got := p.doc.Find(`[data-testid="recipient-row"]`).Length(); got != n {
				t.Errorf("page status %s: %d rows, want %d", status, got, n)
			}
		}
		failed := br.get(path + "?status=failed")
		if txt := failed.text(`[data-testid="recipients"]`); !strings.Contains(txt, "psid-06") {
			t.Errorf("failed rows miss the external id: %.300s", txt)
		}
		if p := br.get(path + "?q=" + url.QueryEscape("客人 1")); p.doc.Find(`[data-testid="recipient-row"]`).Length() != 1 {
			t.Errorf("name search 客人 1 does not find exactly one")
		}
		if p := br.get(path + "?q=" + url.QueryEscape("客人")); p.doc.Find(`[data-testid="recipient-row"]`).Length() != 9 {
			t.Errorf("name search 客人 does not find nine")
		}

		api := app.apiClientFor("owner@example.com", models.RoleMarketer)
		for status, n := range want {
			r := api.get("/api/v1/broadcasts/" + uidStr(fx.b.ID) + "/recipients?status=" + status)
			wantAPIStatus(t, r, http.StatusOK, "")
			if got := len(r.body["recipients"].([]any)); got != n {
				t.Errorf("API status %s: %d recipients, want %d", status, got, n)
			}
		}
		seen := map[string]bool{}
		after, pages := "", 0
		for {
			r := api.get("/api/v1/broadcasts/" + uidStr(fx.b.ID) + "/recipients?limit=3" + after)
			wantAPIStatus(t, r, http.StatusOK, "")
			pages++
			for _, x := range r.body["recipients"].([]any) {
				ext := x.(map[string]any)["external_id"].(string)
				if seen[ext] {
					t.Errorf("%s on two pages", ext)
				}
				seen[ext] = true
			}
			next, ok := r.body["next_after"].(float64)
			if !ok {
				break
			}
			after = fmt.Sprintf("&after=%d", int64(next))
		}
		if len(seen) != 10 || pages != 4 {
			t.Errorf("paged %d recipients in %d pages, want 10 in 4", len(seen), pages)
		}
		r := api.get("/api/v1/broadcasts/" + uidStr(fx.b.ID) + "/recipients?status=failed")
		first := r.body["recipients"].([]any)[0].(map[string]any)
		if first["reason"] != channels.ReasonRateLimited || first["status"] != "failed" || first["reason_text"] == "" {
			t.Errorf("failed recipient %v", first)
		}
		bad := api.get("/api/v1/broadcasts/" + uidStr(fx.b.ID) + "/recipients?status=nonsense")
		wantAPIStatus(t, bad, http.StatusUnprocessableEntity, "invalid")
		if bad.errorField() != "status" {
			t.Errorf("bad status field %q", bad.errorField())
		}
		wantAPIStatus(t, api.get("/api/v1/broadcasts/999999/recipients"), http.StatusNotFound, "not_found")
	})
}

// The recipients CSV: BOM, the columns, statuses and reasons in words,
// formula cells protected, the status filter applied.
func TestReportRecipientsCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		fx := newOutcomeFixture(t, db, owner.ID, nil)
		br := app.browser()
		br.signIn("owner@example.com")
		p := br.get(fmt.Sprintf("/broadcasts/%d/recipients.csv", fx.b.ID))
		wantStatus(t, p, http.StatusOK)
		if !strings.HasPrefix(p.body, models.CSVBOM) {
			t.Fatalf("no BOM")
		}
		if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("content type %q", ct)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, models.CSVBOM))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != "contact_name,external_id,status,reason,sent_at,delivered_at,read_at,clicked_at" {
			t.Fatalf("header %v", recs[0])
		}
		if len(recs) != 11 {
			t.Fatalf("%d rows, want 10", len(recs)-1)
		}
		// Workspace time (Asia/Taipei by default): 02:01 UTC is 10:01.
		if got := recs[1]; got[0] != "客人 01" || got[1] != "psid-01" || got[2] != "read" || got[4] != "2026-11-24 10:01:00" ||
			got[7] != "2026-11-24 10:04:00" {
			t.Errorf("row 1 %v", got)
		}
		if got := recs[6]; got[0] != `'=HYPERLINK("x")` || got[2] != "failed" || got[3] == "" || got[3] == channels.ReasonNoSuchUser {
			t.Errorf("row 6 (protected name, reason in words) %v", got)
		}
		f := br.get(fmt.Sprintf("/broadcasts/%d/recipients.csv?status=failed", fx.b.ID))
		recs, _ = csv.NewReader(strings.NewReader(strings.TrimPrefix(f.body, models.CSVBOM))).ReadAll()
		if len(recs) != 4 {
			t.Errorf("failed export: %d rows, want 3", len(recs)-1)
		}
	})
}

// Retry and resend: only the creator or an admin; retry moves only the
// retryable failures, once; a second press moves nothing; a done
// broadcast goes back to sending; both are audited.
func TestReportRetryAndResend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		app.addUser("other@example.com", models.RoleMarketer)
		fx := newOutcomeFixture(t, db, owner.ID, func(b *models.Broadcast) { b.PauseReason = "" })
		// Paused so that the test's background work does not send them.
		if err := db.Model(&models.Broadcast{}).Where("id = ?", fx.b.ID).Update("status", models.BroadcastPaused).Error; err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/broadcasts/%d", fx.b.ID)

		other := app.browser()
		other.signIn("other@example.com")
		if p := other.get(path); p.doc.Find(`[data-testid="retry-failed"]`).Length() != 0 {
			t.Errorf("a colleague sees the retry button")
		}
		if p := other.post(path+"/retry-failed", url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("a colleague's retry: %d", p.status)
		}

		br := app.browser()
		br.signIn("owner@example.com")
		page := br.get(path)
		if v, _ := page.doc.Find(`[data-testid="retry-failed"]`).Attr("data-count"); v != "2" {
			t.Errorf("retry button count %q, want 2 (rate_limited, temporary)", v)
		}
		if v, _ := page.doc.Find(`[data-testid="resend-uncertain"]`).Attr("data-count"); v != "1" {
			t.Errorf("resend button count %q, want 1", v)
		}
		api := app.apiClientFor("owner@example.com", models.RoleMarketer)
		r := api.postJSON("/api/v1/broadcasts/"+uidStr(fx.b.ID)+"/retry-failed", map[string]any{})
		wantAPIStatus(t, r, http.StatusOK, "")
		if r.body["queued"] != float64(2) {
			t.Errorf("queued %v, want 2", r.body["queued"])
		}
		again := api.postJSON("/api/v1/broadcasts/"+uidStr(fx.b.ID)+"/retry-failed", map[string]any{})
		wantAPIStatus(t, again, http.StatusConflict, "nothing_to_retry")
		p := br.post(path+"/resend-uncertain", url.Values{})
		if p.status != http.StatusSeeOther {
			t.Fatalf("resend: %d", p.status)
		}
		wantAPIStatus(t, api.postJSON("/api/v1/broadcasts/"+uidStr(fx.b.ID)+"/resend-uncertain", map[string]any{}),
			http.StatusConflict, "nothing_to_retry")

		b, _ := models.FindBroadcast(db, fx.b.ID)
		if b.PendingCount != 3 || b.FailedCount != 1 || b.UncertainCount != 0 || b.Status != models.BroadcastPaused {
			t.Errorf("after retry and resend: %s pending %d failed %d uncertain %d", b.Status, b.PendingCount, b.FailedCount, b.UncertainCount)
		}
		var states []models.Delivery
		db.Where("broadcast_id = ? AND state = ?", fx.b.ID, models.DeliveryPending).Order("id").Find(&states)
		if len(states) != 3 || states[0].Attempts != 0 || states[0].Reason != "" {
			t.Errorf("pending rows %+v", states)
		}
		var actions []string
		db.Model(&models.AuditEntry{}).Where("broadcast_id = ?", fx.b.ID).Order("id").Pluck("action", &actions)
		if strings.Join(actions, ",") != "retry,resend" {
			t.Errorf("audit %v", actions)
		}

		// A done broadcast goes back to sending; a cancelled one refuses.
		done := newOutcomeFixture(t, db, owner.ID, nil)
		if _, err := models.RetryDeliveries(db, done.b.ID, models.RetryUncertain, owner, models.Actor{UserID: owner.ID}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if b, _ := models.FindBroadcast(db, done.b.ID); b.Status != models.BroadcastSending || b.FinishedAt != nil {
			t.Errorf("done broadcast after resend: %s finished %v", b.Status, b.FinishedAt)
		}
		cancelled := newOutcomeFixture(t, db, owner.ID, func(b *models.Broadcast) { b.Status = models.BroadcastCancelled })
		if _, err := models.RetryDeliveries(db, cancelled.b.ID, models.RetryFailed, owner, models.Actor{UserID: owner.ID}, time.Now()); err != models.ErrBroadcastState {
			t.Errorf("retry of a cancelled broadcast: %v", err)
		}
	})
}

// Cohorts, send again and duplicate save the right audiences and open
// the composer.
func TestReportCohortsSendAgainDuplicate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		fx := newOutcomeFixture(t, db, owner.ID, func(b *models.Broadcast) {
			b.AudienceAll, b.AudienceFilter, b.AudienceTimezone = true, "q="+url.QueryEscape("客人"), "Asia/Taipei"
		})
		br := app.browser()
		br.signIn("owner@example.com")
		path := fmt.Sprintf("/broadcasts/%d", fx.b.ID)
		show := br.get(path)
		if show.doc.Find(`[data-testid="cohort-select"] option[value="button:7:1"]`).Length() != 1 {
			t.Errorf("no cohort for button 1 of module 7")
		}
		audienceOf := func(p page) *models.Audience {
			t.Helper()
			loc := p.location()
			var id uint
			if _, err := fmt.Sscanf(loc, "/broadcasts/new?audience=%d", &id); err != nil {
				t.Fatalf("redirect %q (%d): %v", loc, p.status, err)
			}
			a, err := models.FindAudience(db, id)
			if err != nil {
				t.Fatal(err)
			}
			if ids := a.IDs(); !a.AllMatching && int64(len(ids)) != a.Count {
				t.Errorf("audience count %d but %d ids", a.Count, len(ids))
			}
			return a
		}
		for cohort, n := range map[string]int64{"not_delivered": 6, "unread": 2, "clicked": 2, "no_reply": 4, "button:7:0": 1, "button:7:1": 1} {
			a := audienceOf(br.post(path+"/cohort", url.Values{"cohort": {cohort}}))
			if a.Count != n || a.AllMatching {
				t.Errorf("cohort %s: %d (all %v), want %d", cohort, a.Count, a.AllMatching, n)
			}
		}
		if ids := audienceOf(br.post(path+"/cohort", url.Values{"cohort": {"button:7:0"}})).IDs(); len(ids) != 1 || ids[0] != fx.contacts[0] {
			t.Errorf("button 0 cohort %v, want contact 1", ids)
		}
		if p := br.post(path+"/cohort", url.Values{"cohort": {"button:8:0"}}); p.status != http.StatusSeeOther || p.location() != path {
			t.Errorf("empty cohort: %d %q", p.status, p.location())
		}
		if p := br.post(path+"/cohort", url.Values{"cohort": {"nonsense"}}); p.status != http.StatusBadRequest {
			t.Errorf("unknown cohort: %d", p.status)
		}
		// The filter "name contains 客人" today: nine (contact 6 is "=HYPERLINK…").
		again := audienceOf(br.post(path+"/send-again", url.Values{}))
		if !again.AllMatching || again.Count != 9 || again.Timezone != "Asia/Taipei" {
			t.Errorf("send again: all %v count %d zone %q", again.AllMatching, again.Count, again.Timezone)
		}
		// Explicit people: those of the saved selection.
		explicit := newOutcomeFixture(t, db, owner.ID, nil)
		sel, err := models.SaveAudience(db, models.ContactFilter{ChannelID: explicit.ch.ID}, explicit.contacts[:3], false, owner.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Model(explicit.b).Update("audience_id", sel.ID).Error; err != nil {
			t.Fatal(err)
		}
		a := audienceOf(br.post(fmt.Sprintf("/broadcasts/%d/send-again", explicit.b.ID), url.Values{}))
		if a.AllMatching || a.Count != 3 {
			t.Errorf("send again explicit: all %v count %d", a.AllMatching, a.Count)
		}

		dup := br.post(path+"/duplicate", url.Values{})
		var id uint
		if _, err := fmt.Sscanf(dup.location(), "/broadcasts/%d/edit", &id); err != nil {
			t.Fatalf("duplicate redirect %q", dup.location())
		}
		d, err := models.FindBroadcast(db, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != models.BroadcastDraft || d.Content != fx.b.Content || d.Subject != fx.b.Subject || d.CreatedBy != owner.ID || d.AudienceFilter != "q="+url.QueryEscape("客人") {
			t.Errorf("duplicate %+v", d)
		}
		if p := br.get(dup.location()); p.status != http.StatusOK {
			t.Errorf("composer of the copy: %d", p.status)
		}
	})
}
