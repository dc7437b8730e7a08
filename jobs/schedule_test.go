package jobs

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// At boot, a broadcast whose time passed while omnicast was down starts
// if it is less than the maximum lateness late, and is marked missed
// (nothing sent) past it.
func TestBootStartsLateBroadcastsAndMarksMissedOnes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		ch := e.channel(channels.KindLINE, "1650000002", 0)
		ids := e.people(ch, 20)
		late := e.broadcast(ch, text("late"), time.Now().Add(-50*time.Minute), ids, nil)
		missed := e.broadcast(ch, text("missed"), time.Now().Add(-61*time.Minute), ids, nil)
		e.runner(func(c *Config) { c.MaxLateness = time.Hour })
		e.waitStatus(late.ID, models.BroadcastDone, 20*time.Second)
		m := e.waitStatus(missed.ID, models.BroadcastMissed, 5*time.Second)
		if m.StartedAt != nil || e.states(missed.ID)[models.DeliveryPending] != 20 {
			t.Fatalf("a missed broadcast was started: %+v %v", m, e.states(missed.ID))
		}
		for _, s := range e.sim.Sent() {
			if strings.Contains(string(s.Body), "missed") {
				t.Fatal("the missed broadcast went out")
			}
		}
	})
}

// A broadcast edited shortly before its time goes out with the edit: the
// content is read when sending starts. Its one-time job fires on time,
// and a job moved later does not fire at the old time.
func TestScheduledBroadcastGoesOutOnTimeWithItsLastEdit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		ch := e.channel(channels.KindLINE, "1650000003", 0)
		ids := e.people(ch, 10)
		at := time.Now().Add(2 * time.Second).Truncate(time.Millisecond)
		b := e.broadcast(ch, text("before the edit"), at, ids, nil)
		moved := e.broadcast(ch, text("moved later"), at, ids, nil)
		r := e.runner(nil)
		// The edit lands 1 s before the time (the composer's save: content
		// and version, the broadcast still scheduled).
		time.Sleep(time.Until(at.Add(-time.Second)))
		raw, _ := json.Marshal(text("after the edit"))
		if err := db.Model(&models.Broadcast{}).Where("id = ?", b.ID).
			Updates(map[string]any{"content": string(raw), "version": gorm.Expr("version + 1")}).Error; err != nil {
			t.Fatal(err)
		}
		later := at.Add(3 * time.Second)
		if err := db.Model(&models.Broadcast{}).Where("id = ?", moved.ID).Update("scheduled_at", later).Error; err != nil {
			t.Fatal(err)
		}
		if err := r.Schedule(moved.ID, later); err != nil {
			t.Fatal(err)
		}
		done := e.waitStatus(b.ID, models.BroadcastDone, 10*time.Second)
		if late := done.StartedAt.Sub(at); late < 0 || late > 1500*time.Millisecond {
			t.Errorf("started %s after its time", late)
		}
		if !strings.Contains(done.SentContent, "after the edit") {
			t.Errorf("sent content %s", done.SentContent)
		}
		for _, s := range e.sim.Sent() {
			if strings.Contains(string(s.Body), "before the edit") {
				t.Fatal("the content before the edit went out")
			}
		}
		if m, _ := models.FindBroadcast(db, moved.ID); m.Status != models.BroadcastScheduled {
			t.Fatalf("the moved broadcast is %s at its old time", m.Status)
		}
		mv := e.waitStatus(moved.ID, models.BroadcastDone, 10*time.Second)
		if mv.StartedAt.Before(later) {
			t.Errorf("the moved broadcast started at %s, before %s", mv.StartedAt, later)
		}
		// Editing after the start is refused by the model.
		if done.Editable() {
			t.Error("a sent broadcast is editable")
		}
	})
}

// The one-time job fires when the runner's clock reaches the broadcast's
// time, not the wall clock: with a clock an hour ahead (a test's, or a
// host whose clock is set apart from the scheduler's), a broadcast due
// in 2 s by that clock starts in about 2 s, neither an hour late nor
// early.
func TestScheduledBroadcastStartsByTheRunnersClock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		ch := e.channel(channels.KindLINE, "1650000005", 0)
		ahead := func() time.Time { return time.Now().Add(time.Hour) }
		at := ahead().Add(2 * time.Second)
		b := e.broadcast(ch, text("by the runner's clock"), at, e.people(ch, 3), nil)
		e.runner(func(c *Config) { c.Now = ahead })
		done := e.waitStatus(b.ID, models.BroadcastDone, 8*time.Second)
		if late := done.StartedAt.Sub(at); late < 0 || late > 1500*time.Millisecond {
			t.Errorf("started %s after its time by the runner's clock", late)
		}
	})
}

// A second trigger (another instance, a double job) starts nothing twice.
func TestStartSendingIsDecidedByTheRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		ch := e.channel(channels.KindLINE, "1650000004", 0)
		b := e.broadcast(ch, text("once"), time.Now().Add(-time.Second), e.people(ch, 1), nil)
		wins := 0
		for range 3 {
			res, err := models.StartDue(db, b.ID, time.Now(), time.Hour, "")
			if err != nil {
				t.Fatal(err)
			}
			if res == models.StartStarted {
				wins++
			}
		}
		if wins != 1 {
			t.Fatalf("started %d times", wins)
		}
	})
}
