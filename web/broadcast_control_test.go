package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// sendingBroadcast writes a sending broadcast of user by with n pending
// deliveries, on a channel the dispatcher cannot reach (so nothing moves
// but what the test does).
func sendingBroadcast(t *testing.T, db *gorm.DB, by uint, n int) *models.Broadcast {
	t.Helper()
	now := time.Now()
	b := &models.Broadcast{ChannelID: 999999, Subject: "週年慶", Status: models.BroadcastSending, StartedAt: &now,
		CreatedBy: by, UpdatedBy: by, SentContent: `{"parts":[{"kind":"text","text":"hi"}]}`,
		AudienceCount: int64(n), PendingCount: int64(n)}
	if err := db.Create(b).Error; err != nil {
		t.Fatal(err)
	}
	for i := range n {
		c := models.Contact{ChannelID: 999999, ExternalID: "p" + strconv.Itoa(i) + "-" + strconv.FormatUint(uint64(b.ID), 10), Subscribed: true}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: models.DeliveryPending, UpdatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// The API pauses, resumes and cancels a sending broadcast for its creator
// or an admin, refuses others and moves out of order with a JSON error,
// and the status API answers the counts.
func TestAPIBroadcastPauseResumeCancel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.apiClientFor("owner@example.com", models.RoleMarketer)
		other := app.apiClientFor("other@example.com", models.RoleMarketer)
		admin := app.apiClientFor("admin@example.com", models.RoleAdmin)
		ownerUser, _ := models.FindUserByEmail(db, "owner@example.com")
		b := sendingBroadcast(t, db, ownerUser.ID, 3)
		base := "/api/v1/broadcasts/" + strconv.FormatUint(uint64(b.ID), 10)

		wantAPIStatus(t, other.postJSON(base+"/pause", map[string]any{}), http.StatusForbidden, "broadcast_forbidden")
		r := owner.postJSON(base+"/pause", map[string]any{})
		wantAPIStatus(t, r, http.StatusOK, "")
		if r.body["status"] != models.BroadcastPaused {
			t.Fatalf("after pause: %s", r.raw)
		}
		wantAPIStatus(t, owner.postJSON(base+"/pause", map[string]any{}), http.StatusConflict, "broadcast_state")
		wantAPIStatus(t, admin.postJSON(base+"/resume", map[string]any{}), http.StatusOK, "")
		r = owner.postJSON(base+"/cancel", map[string]any{})
		wantAPIStatus(t, r, http.StatusOK, "")
		if r.body["status"] != models.BroadcastCancelled {
			t.Fatalf("after cancel: %s", r.raw)
		}
		st := owner.get(base + "/status")
		wantAPIStatus(t, st, http.StatusOK, "")
		counts, _ := st.body["counts"].(map[string]any)
		for k, want := range map[string]float64{"audience": 3, "pending": 0, "skipped": 3, "sent": 0, "delivered": 0, "read": 0, "failed": 0, "uncertain": 0} {
			if counts[k] != want {
				t.Errorf("counts.%s = %v, want %v (%s)", k, counts[k], want, st.raw)
			}
		}
		if st.body["started_at"] == nil || st.body["finished_at"] == nil {
			t.Errorf("times missing: %s", st.raw)
		}
		wantAPIStatus(t, owner.get("/api/v1/broadcasts/987654/status"), http.StatusNotFound, "not_found")
		// Each action is in the audit trail, as its user's, by token.
		adminUser, _ := models.FindUserByEmail(db, "admin@example.com")
		entries, err := models.ListAudit(db, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			if e.UserID == nil || e.TokenID == nil {
				t.Errorf("%s not audited with its user and token", e.Action)
				continue
			}
			who := "owner"
			if *e.UserID == adminUser.ID {
				who = "admin"
			}
			got = append(got, e.Action+" by "+who)
		}
		if want := "status:paused by owner, status:sending by admin, status:cancelled by owner"; strings.Join(got, ", ") != want {
			t.Errorf("audit %q, want %q", strings.Join(got, ", "), want)
		}
	})
}

// Staff pause and resume from the pages, with a flash, back where they were.
func TestPagesPauseAndResumeABroadcast(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	u := app.addUser("owner@example.com", models.RoleMarketer)
	app.addUser("someone@example.com", models.RoleMarketer)
	b := sendingBroadcast(t, app.db, u.ID, 2)
	path := "/broadcasts/" + strconv.FormatUint(uint64(b.ID), 10)

	stranger := app.browser()
	stranger.signIn("someone@example.com")
	wantStatus(t, stranger.post(path+"/pause", url.Values{}), http.StatusForbidden)

	br := app.browser()
	br.signIn("owner@example.com")
	p := br.post(path+"/pause", url.Values{"back": {"/broadcasts"}})
	wantStatus(t, p, http.StatusSeeOther)
	if p.location() != "/broadcasts" {
		t.Fatalf("back to %q", p.location())
	}
	if got, _ := models.FindBroadcast(app.db, b.ID); got.Status != models.BroadcastPaused {
		t.Fatalf("status %s", got.Status)
	}
	wantStatus(t, br.post(path+"/resume", url.Values{"back": {"//evil.example"}}), http.StatusSeeOther)
	if got, _ := models.FindBroadcast(app.db, b.ID); got.Status != models.BroadcastSending {
		t.Fatalf("status %s", got.Status)
	}
}
