package main

import (
	"syscall"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/models"
)

// TestKillDuringBroadcastsAndRestart runs the real binary on PostgreSQL
// against the simulator, SIGKILLs it a quarter of the way through a 20,000-person
// broadcast on LINE (one push per person, retry keys) and one on
// Messenger (no idempotency key), restarts it and lets both finish. The
// simulator's record shows nobody twice; every delivery ends sent,
// failed, skipped or uncertain; LINE has nobody uncertain (the requests
// of the killed process are retried under their keys and answered 409),
// and Messenger's uncertain are at most the deliveries the killed process
// held without a recorded answer (its requests in flight and the rest of
// its claims); the log gives how many of those had reached the simulator.
func TestKillDuringBroadcastsAndRestart(t *testing.T) {
	const people, rate, lease = 20000, 1500, 4 * time.Second
	start := time.Now()
	f := newSendFixture(t)
	line := f.channel(channels.KindLINE, "1650000701", rate)
	fb := f.channel(channels.KindMessenger, "100000000000701", rate)
	lb := f.broadcast(line, "嗨 "+channels.NameParam+"，週年慶開跑", time.Now().Add(-time.Second), f.people(line, people))
	fbb := f.broadcast(fb, "週年慶開跑", time.Now().Add(-time.Second), f.people(fb, people))
	t.Logf("seeded %d people and deliveries in %s", 2*people, time.Since(start).Round(time.Millisecond))

	bin := omnicastBinary(t)
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--claim-lease", lease.String()}
	first := startProc(t, bin, f.env(), args...)
	first.serving(60 * time.Second)
	servingAt := time.Now()
	waitFor(t, 60*time.Second, "a quarter of both broadcasts sent", func() bool {
		var n int64
		f.db.Model(&models.Broadcast{}).Where("id IN ? AND sent_count >= ?", []uint{lb.ID, fbb.ID}, people/4).Count(&n)
		return n == 2
	})
	first.stop(syscall.SIGKILL, 5*time.Second)
	killedAt := time.Now()
	atKill := map[uint]map[string]int64{lb.ID: f.states(lb.ID), fbb.ID: f.states(fbb.ID)}
	simAtKill := map[string]int{line.ExternalID: f.sentOn(line.ExternalID), fb.ExternalID: f.sentOn(fb.ExternalID)}
	// The Messenger requests the killed process made without recording
	// the answer: held (claimed) rows whose person the simulator has.
	heldFB := atKill[fbb.ID][models.DeliveryClaimed]
	reachedFB := 0
	var held []string
	_ = f.db.Raw("SELECT contacts.external_id FROM deliveries JOIN contacts ON contacts.id = deliveries.contact_id"+
		" WHERE deliveries.broadcast_id = ? AND deliveries.state = ?", fbb.ID, models.DeliveryClaimed).Scan(&held)
	for _, id := range held {
		if len(f.sim.SentTo(id)) > 0 {
			reachedFB++
		}
	}
	// In flight: held rows whose request was dispatched (marked just
	// before it was written) and not answered.
	var inFlightFB int64
	_ = f.db.Raw("SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ? AND state = ? AND dispatched_at IS NOT NULL",
		fbb.ID, models.DeliveryClaimed).Scan(&inFlightFB)
	t.Logf("at the kill: LINE %v (simulator %d), Messenger %v (simulator %d); Messenger held %d, in flight %d, %d of them reached the simulator",
		atKill[lb.ID], simAtKill[line.ExternalID], atKill[fbb.ID], simAtKill[fb.ExternalID], heldFB, inFlightFB, reachedFB)
	if atKill[lb.ID][models.DeliveryPending] == 0 || atKill[fbb.ID][models.DeliveryPending] == 0 {
		t.Fatal("a broadcast was finished before the kill; the test proves nothing")
	}

	second := startProc(t, bin, f.env(), args...)
	second.serving(60 * time.Second)
	for _, id := range []uint{lb.ID, fbb.ID} {
		waitFor(t, 60*time.Second, "broadcast done after the restart", func() bool {
			b, err := models.FindBroadcast(f.db, id)
			return err == nil && b.Status == models.BroadcastDone
		})
	}
	finished := time.Since(killedAt)
	second.stop(syscall.SIGTERM, 20*time.Second)

	if d := f.sim.Duplicates(); len(d) > 0 {
		t.Fatalf("the simulator recorded %d people twice, e.g. %v", len(d), d[:min(5, len(d))])
	}
	final := map[string]bool{models.DeliverySent: true, models.DeliveryFailed: true, models.DeliverySkipped: true, models.DeliveryUncertain: true}
	for _, id := range []uint{lb.ID, fbb.ID} {
		b, _ := models.FindBroadcast(f.db, id)
		f.checkCounters(b)
		for state, n := range f.states(id) {
			if !final[state] {
				t.Errorf("broadcast %d: %d deliveries %s after the finish", id, n, state)
			}
		}
	}
	ls, fs := f.states(lb.ID), f.states(fbb.ID)
	if ls[models.DeliverySent] != people || f.sentOn(line.ExternalID) != people {
		t.Errorf("LINE: %v, simulator %d; want all %d sent once", ls, f.sentOn(line.ExternalID), people)
	}
	// Uncertain are at most the requests in flight at the kill: the held
	// rows still waiting for their rate token were never dispatched, so
	// the reclaim puts them back in the queue and the restart sends them.
	// Those that had reached the simulator are among them.
	if u := fs[models.DeliveryUncertain]; u > inFlightFB || u < int64(reachedFB) {
		t.Errorf("Messenger: %d uncertain, want between the %d requests that had reached the simulator and the %d in flight at the kill",
			u, reachedFB, inFlightFB)
	}
	if heldFB > rate/5+int64(4) {
		t.Errorf("Messenger: the killed process held %d deliveries, more than ~200 ms of the %d/s rate", heldFB, rate)
	}
	if fs[models.DeliverySent]+fs[models.DeliveryUncertain] != people {
		t.Errorf("Messenger: %v, want every person sent or uncertain", fs)
	}
	// Sent people were recorded once by the simulator; the uncertain ones
	// at most once (never resent).
	if got, lo, hi := f.sentOn(fb.ExternalID), int(fs[models.DeliverySent]), int(fs[models.DeliverySent]+fs[models.DeliveryUncertain]); got < lo || got > hi {
		t.Errorf("Messenger: the simulator recorded %d, want %d..%d", got, lo, hi)
	}
	t.Logf("FIGURE kill test: LINE %v; Messenger %v; Messenger held at the kill %d, in flight %d (requests that had reached the simulator: %d); "+
		"first run %s, restart to finish %s; total %s", ls, fs, heldFB, inFlightFB, reachedFB, killedAt.Sub(servingAt).Round(100*time.Millisecond),
		finished.Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond))
}
