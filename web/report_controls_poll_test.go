package web

import (
	"net/http"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBroadcastFiguresPollRefreshesControls: the figures' poll brings the
// controls of the status it shows, out of band, so a page opened while
// the broadcast was sending (or paused) stops offering its controls once
// it is done (before, 暫停發送 and 取消推播 stayed beside 完成). Paused here:
// the test server's dispatcher would pause a sending one of this
// credential-less channel by itself.
func TestBroadcastFiguresPollRefreshesControls(t *testing.T) {
	db := dbtest.SQLite(t)
	app := newTestApp(t, db)
	owner := app.addUser("owner@example.com", models.RoleMarketer)
	ch := reportChannel(t, db, channels.KindMessenger, "粉絲專頁")
	at := app.clock.Now().Add(-time.Minute)
	b := reportBroadcast(t, db, ch, owner.ID, "週末特賣", models.BroadcastPaused, at, func(b *models.Broadcast) {
		b.AudienceCount, b.FrozenCount, b.SentCount = 3, 3, 1
	})
	br := app.browser()
	br.signIn("owner@example.com")
	path := "/broadcasts/" + uidStr(b.ID)

	p := br.get(path)
	wantStatus(t, p, http.StatusOK)
	if p.doc.Find(`#report-controls [data-testid="broadcast-resume"]`).Length() != 1 {
		t.Fatalf("a paused broadcast's page offers no resume: %q", p.text(`#report-controls`))
	}
	frag := br.get(path + "/figures")
	wantStatus(t, frag, http.StatusOK)
	controls := frag.doc.Find(`#report-controls`)
	if oob, _ := controls.Attr("hx-swap-oob"); oob != "true" {
		t.Fatalf("the poll's controls are not swapped out of band: hx-swap-oob=%q", oob)
	}
	if controls.Find(`[data-testid="broadcast-resume"]`).Length() != 1 || controls.Find(`[data-testid="broadcast-cancel"]`).Length() != 1 {
		t.Fatal("while paused, the poll drops resume or cancel")
	}

	finished := app.clock.Now()
	if err := db.Model(&models.Broadcast{}).Where("id = ?", b.ID).
		Updates(map[string]any{"status": models.BroadcastDone, "sent_count": 3, "finished_at": finished}).Error; err != nil {
		t.Fatal(err)
	}
	frag = br.get(path + "/figures")
	wantStatus(t, frag, http.StatusOK)
	if st, _ := frag.doc.Find(`[data-testid="report-figures"]`).Attr("data-status"); st != models.BroadcastDone {
		t.Fatalf("the figures say %q", st)
	}
	controls = frag.doc.Find(`#report-controls`)
	if controls.Length() != 1 {
		t.Fatal("the poll of a done broadcast sends no controls to replace the sending ones")
	}
	if n := controls.Find(`[data-testid="broadcast-pause"], [data-testid="broadcast-cancel"], [data-testid="broadcast-resume"]`).Length(); n != 0 {
		t.Fatalf("a done broadcast still offers %d sending controls", n)
	}
}
