package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// A broadcast's page left open while it moves on: its figures' poll
// names the state the page was drawn for, and when the broadcast is no
// longer in it (it started sending; sends failed) the answer brings the
// controls, notices and actions as well, out of band: the edit button
// goes, pause comes, and the retry button counts the failures. While
// nothing of that changed, the poll answers the figures alone.
func TestReportPollBringsControlsWhenTheBroadcastMovesOn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		owner := app.addUser("owner@example.com", models.RoleMarketer)
		ch := reportChannel(t, db, channels.KindMessenger, "粉絲專頁")
		at := app.clock.Now().Add(30 * time.Minute)
		b := reportBroadcast(t, db, ch, owner.ID, "週末預告", models.BroadcastScheduled, at, func(b *models.Broadcast) {
			b.AudienceCount, b.FrozenCount, b.PendingCount = 4, 4, 4
		})
		var ids []uint64
		for i := range 4 {
			c := models.Contact{ChannelID: ch.ID, ExternalID: "p" + strconv.Itoa(i), Subscribed: true}
			if err := db.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
			d := models.Delivery{BroadcastID: b.ID, ContactID: c.ID, State: models.DeliveryPending, UpdatedAt: at}
			if err := db.Create(&d).Error; err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		br := app.browser()
		br.signIn("owner@example.com")
		path := "/broadcasts/" + uidStr(b.ID)
		p := br.get(path)
		wantStatus(t, p, http.StatusOK)
		if p.doc.Find(`#report-controls [data-testid="broadcast-edit"]`).Length() != 1 || p.doc.Find(`#report-notices [data-testid="edit-warning"]`).Length() != 1 {
			t.Fatal("a scheduled broadcast's page has no edit button or warning in its live parts")
		}
		poll, _ := p.doc.Find(`[data-testid="report-figures"]`).Attr("hx-get")
		if !strings.Contains(poll, "shown=") {
			t.Fatalf("the poll %q does not name what the page shows", poll)
		}
		oob := func(f page) int { return f.doc.Find(`[hx-swap-oob]`).Length() }

		f := br.get(poll)
		wantStatus(t, f, http.StatusOK)
		if oob(f) != 0 || f.doc.Find(`[data-testid="report-figures"]`).Length() != 1 {
			t.Fatalf("nothing moved, yet the poll brings %d parts out of band", oob(f))
		}

		// It starts; two sends fail with a retryable reason.
		started := app.clock.Now()
		if err := db.Model(&models.Broadcast{}).Where("id = ?", b.ID).Updates(map[string]any{"status": models.BroadcastSending,
			"started_at": started, "failed_count": 2, "pending_count": 2}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&models.Delivery{}).Where("id IN ?", ids[:2]).Updates(map[string]any{"state": models.DeliveryFailed,
			"reason": channels.ReasonTemporary}).Error; err != nil {
			t.Fatal(err)
		}
		f = br.get(poll)
		wantStatus(t, f, http.StatusOK)
		for _, id := range []string{"report-controls", "report-notices", "report-actions"} {
			if v, _ := f.doc.Find("#" + id).Attr("hx-swap-oob"); v != "true" {
				t.Errorf("after the start the poll does not bring #%s out of band", id)
			}
		}
		if f.doc.Find(`[data-testid="broadcast-edit"]`).Length() != 0 || f.doc.Find(`[data-testid="edit-warning"]`).Length() != 0 {
			t.Error("a sending broadcast is still offered for editing")
		}
		if f.doc.Find(`#report-controls [data-testid="broadcast-pause"]`).Length() != 1 {
			t.Error("a sending broadcast's controls have no pause")
		}
		if n, _ := f.doc.Find(`#report-actions [data-testid="retry-failed"]`).Attr("data-count"); n != "2" {
			t.Errorf("retry button counts %q, want 2", n)
		}
		next, _ := f.doc.Find(`[data-testid="report-figures"]`).Attr("hx-get")
		if next == poll {
			t.Fatalf("the next poll names the old state: %q", next)
		}
		f = br.get(next)
		if oob(f) != 0 {
			t.Errorf("polling on in the same state brings %d parts out of band", oob(f))
		}
	})
}
