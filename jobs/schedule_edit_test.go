package jobs

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// An edit saved through the composer's own path (models.SaveDraft on the
// version the page showed) a moment before the broadcast's time goes out:
// the content is read when sending starts. Once sending started, the
// same save is refused (ErrBroadcastStarted), and nothing else goes out.
func TestComposerEditJustBeforeTheTimeGoesOutAndLaterEditsAreRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		ch := e.channel(channels.KindMessenger, "100000000000031", 0)
		at := time.Now().Add(2 * time.Second).Truncate(time.Millisecond)
		// The editor must be a real user who may edit it (its creator).
		u, err := models.CreateUser(db, models.NewUserInput{Email: "owner@example.com", Name: "Owner", Role: models.RoleMarketer, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		b := e.broadcast(ch, text("the first wording"), at, e.people(ch, 10), func(b *models.Broadcast) { b.CreatedBy, b.UpdatedBy = u.ID, u.ID })
		e.runner(nil)
		time.Sleep(time.Until(at.Add(-time.Second)))
		d, err := models.DraftOf(b)
		if err != nil {
			t.Fatal(err)
		}
		d.Content = text("the edited wording")
		edited, err := models.SaveDraft(db, d, b.ID, b.Version, models.Actor{UserID: u.ID}, models.MethodManual, time.Now())
		if err != nil {
			t.Fatalf("edit before the time: %v", err)
		}
		if edited.Status != models.BroadcastScheduled || edited.Version != b.Version+1 {
			t.Fatalf("after the edit: %s v%d", edited.Status, edited.Version)
		}
		done := e.waitStatus(b.ID, models.BroadcastDone, 10*time.Second)
		if late := done.StartedAt.Sub(at); late < 0 || late > 1500*time.Millisecond {
			t.Errorf("started %s after its time", late)
		}
		sent := e.sim.Sent()
		if len(sent) != 10 {
			t.Fatalf("%d messages, want 10", len(sent))
		}
		for _, s := range sent {
			if !strings.Contains(string(s.Body), "the edited wording") {
				t.Fatalf("a message went out without the edit: %s", s.Body)
			}
		}
		d.Content = text("too late")
		if _, err := models.SaveDraft(db, d, b.ID, done.Version, models.Actor{UserID: u.ID}, models.MethodManual, time.Now()); !errors.Is(err, models.ErrBroadcastStarted) {
			t.Fatalf("edit after the start: %v, want ErrBroadcastStarted", err)
		}
		if len(e.sim.Sent()) != 10 {
			t.Fatal("something went out after the refused edit")
		}
	})
}
