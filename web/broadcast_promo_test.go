package web

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestComposerPromotionUnderATagLocksOnConfirm: a promotional text under
// 活動通知 is flagged while composing (phrases marked, nothing locked);
// staff may go on to the confirmation, which warns; confirming is refused
// with the reason and locks the Page (shown in the composer); a standard
// message still goes.
func TestComposerPromotionUnderATagLocksOnConfirm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.lang = "zh-TW"
		b.signIn("mei@example.com")
		ch, aud := openComposer(t, app, b, channels.KindMessenger)
		b.get("/broadcasts/new?audience=" + aud)
		text := "週年慶限時 8 折，全館免運"

		f := composerForm(aud, "週年慶", text)
		f.Set("message_tag", models.TagEventUpdate)
		p := b.post("/broadcasts/compose", f)
		wantStatus(t, p, http.StatusOK)
		if p.doc.Find(`[data-testid="promo-mark"]`).Length() == 0 || p.doc.Find(`[data-testid="promo-hits"]`).Length() != 1 {
			t.Fatalf("promotion not flagged while composing: %s", p.text(`[data-testid="preview"]`))
		}
		if got, _ := models.FindChannel(db, ch.ID); got.TagBroadcastLocked {
			t.Fatal("composing locked the channel")
		}

		f.Set("op", "next")
		p = b.post("/broadcasts", f)
		wantStatus(t, p, http.StatusSeeOther)
		confirm := p.location()
		p = b.get(confirm)
		wantStatus(t, p, http.StatusOK)
		if w := p.text(`[data-testid="confirm-promo-warning"]`); !strings.Contains(w, "限時") || !strings.Contains(w, "鎖定") {
			t.Fatalf("confirmation does not warn: %q", w)
		}
		version, _ := p.doc.Find(`[data-testid="confirm-form"] input[name="version"]`).Attr("value")
		p = b.post(confirm, map[string][]string{"version": {version}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if e := p.text(`[data-field-error="messages"]`); !strings.Contains(e, "限時") {
			t.Errorf("refusal beside the messages: %q", e)
		}
		if p.doc.Find(`[data-testid="tag-lock"]`).Length() != 1 || p.text(`[data-testid="tag-lock-text"]`) != text {
			t.Errorf("composer does not show the lock: %q", p.text(`[data-testid="tag-lock"]`))
		}
		got, _ := models.FindChannel(db, ch.ID)
		if !got.TagBroadcastLocked || got.TagLockText != text {
			t.Fatalf("channel after the refused confirmation: locked %v, text %q", got.TagBroadcastLocked, got.TagLockText)
		}
		id := strings.TrimSuffix(strings.TrimPrefix(confirm, "/broadcasts/"), "/confirm")
		if bc, _ := models.FindBroadcast(db, mustID(t, id)); bc.Status != models.BroadcastDraft {
			t.Fatalf("the refused broadcast is %s", bc.Status)
		}

		// Locked: a tagged broadcast is refused; a standard one still goes.
		edit := b.get("/broadcasts/" + id + "/edit")
		v, _ := edit.doc.Find(`input[name="version"]`).Attr("value")
		f = composerForm(aud, "週年慶", "週年慶活動開跑")
		f.Set("version", v)
		f.Set("message_tag", models.TagEventUpdate)
		f.Set("op", "next")
		p = b.post("/broadcasts/"+id, f)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if e := p.text(`[data-field-error="message_tag"]`); e == "" {
			t.Errorf("a tagged broadcast on a locked Page is not refused beside the tag: %s", p.text(`[data-testid="composer-errors"]`))
		}
		v, _ = p.doc.Find(`input[name="version"]`).Attr("value")
		f = composerForm(aud, "週年慶", text)
		f.Set("version", v)
		f.Set("op", "next")
		p = b.post("/broadcasts/"+id, f)
		wantStatus(t, p, http.StatusSeeOther)
		p = b.get(confirm)
		if p.doc.Find(`[data-testid="confirm-promo-warning"]`).Length() != 0 {
			t.Error("a standard message is warned about promotion")
		}
		version, _ = p.doc.Find(`[data-testid="confirm-form"] input[name="version"]`).Attr("value")
		wantStatus(t, b.post(confirm, map[string][]string{"version": {version}}), http.StatusSeeOther)
		if bc, _ := models.FindBroadcast(db, mustID(t, id)); bc.Status == models.BroadcastDraft || bc.MessageTag != models.TagStandard {
			t.Fatalf("the standard broadcast: status %s, tag %s", bc.Status, bc.MessageTag)
		}
	})
}
