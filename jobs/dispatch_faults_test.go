package jobs

import (
	"sort"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// With 2 % 5xx, 1 % 429 (the simulator's rate limit) and 1 % timeouts,
// every delivery ends in a final state; LINE (retry keys) with zero
// duplicates and nobody uncertain, Messenger with the timeouts uncertain
// and never resent.
func TestDispatchUnderFaultsEndsEveryDelivery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{ServerErrorRate: 0.02, TimeoutRate: 0.01, TimeoutDelay: 2 * time.Second, Seed: 7})
		line := e.channel(channels.KindLINE, "1650000011", 0)
		fb := e.channel(channels.KindMessenger, "100000000000011", 0)
		// The simulator answers 429 above 300 req/s: with a channel limit
		// of 310 about 1 % of requests are refused.
		e.sim.AddAccount(sim.Account{Kind: channels.KindLINE, ExternalID: "1650000011", DisplayName: "l", AccessToken: "tok-1650000011",
			Secret: "secret-1650000011", RatePerSecond: 300})
		if err := db.Model(&models.Channel{}).Where("id = ?", line.ID).Update("rate_limit", 310).Error; err != nil {
			t.Fatal(err)
		}
		lb := e.broadcast(line, text("嗨 "+channels.NameParam), time.Now().Add(-time.Second), e.people(line, 1000), nil)
		fbb := e.broadcast(fb, text("standard"), time.Now().Add(-time.Second), e.people(fb, 600), nil)
		e.runner(func(c *Config) { c.Senders = shortSenders(e.sealer, 500*time.Millisecond) })
		for _, b := range []*models.Broadcast{lb, fbb} {
			done := e.waitStatus(b.ID, models.BroadcastDone, 90*time.Second)
			e.checkCounters(done)
		}
		if d := e.sim.Duplicates(); len(d) > 0 {
			t.Fatalf("duplicates: %v", d)
		}
		ls := e.states(lb.ID)
		if ls[models.DeliverySent] != 1000 {
			t.Errorf("LINE: %v, want all 1000 sent", ls)
		}
		fs := e.states(fbb.ID)
		if fs[models.DeliverySent]+fs[models.DeliveryUncertain]+fs[models.DeliveryFailed] != 600 || fs[models.DeliveryUncertain] == 0 {
			t.Errorf("Messenger: %v", fs)
		}
		// Uncertain Messenger deliveries were never sent twice, and those
		// the simulator never recorded are exactly the ones not counted sent.
		var uncertain []string
		db.Raw("SELECT contacts.external_id FROM deliveries JOIN contacts ON contacts.id = deliveries.contact_id WHERE broadcast_id = ? AND state = ?",
			fbb.ID, models.DeliveryUncertain).Scan(&uncertain)
		for _, u := range uncertain {
			if n := len(e.sim.SentTo(u)); n > 1 {
				t.Errorf("uncertain %s got %d messages", u, n)
			}
		}
		t.Logf("LINE %v · Messenger %v", ls, fs)
	})
}

// A pause stops new requests within a second, and a resume sends to
// every remaining person exactly once.
func TestPauseStopsRequestsWithinASecondAndResumeSendsTheRestOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		ch := e.channel(channels.KindMessenger, "100000000000012", 200)
		b := e.broadcast(ch, text("slowly"), time.Now().Add(-time.Second), e.people(ch, 1000), nil)
		r := e.runner(nil)
		deadline := time.Now().Add(20 * time.Second)
		for len(e.sim.Sent()) < 100 {
			if time.Now().After(deadline) {
				t.Fatal("sending did not start")
			}
			time.Sleep(10 * time.Millisecond)
		}
		owner := &models.User{ID: 1, Role: models.RoleAdmin}
		if _, err := models.PauseBroadcast(db, b.ID, owner, models.Actor{UserID: 1}, time.Now()); err != nil {
			t.Fatal(err)
		}
		pausedAt := time.Now()
		time.Sleep(1500 * time.Millisecond)
		var last time.Time
		n := 0
		for _, s := range e.sim.Sent() {
			n++
			if s.At.After(last) {
				last = s.At
			}
		}
		if late := last.Sub(pausedAt); late > time.Second {
			t.Fatalf("a request started %s after the pause", late)
		}
		if n >= 1000 {
			t.Fatal("everything went out before the pause")
		}
		if _, err := models.ResumeBroadcast(db, b.ID, owner, models.Actor{UserID: 1}, time.Now()); err != nil {
			t.Fatal(err)
		}
		r.Wake(WorkerDispatch)
		done := e.waitStatus(b.ID, models.BroadcastDone, 30*time.Second)
		e.checkCounters(done)
		if got := len(e.sim.Sent()); got != 1000 || len(e.sim.Duplicates()) > 0 {
			t.Fatalf("sent %d messages, duplicates %v", got, e.sim.Duplicates())
		}
		t.Logf("paused after %d of 1000; last request %s after the pause", n, last.Sub(pausedAt))
	})
}

// A token error pauses the channel's broadcasts with its reason, and the
// people not reached stay pending for the resume.
func TestTokenErrorPausesTheChannel(t *testing.T) {
	e := newSendEnv(t, dbtest.SQLite(t), sim.Config{})
	ch := e.channel(channels.KindLINE, "1650000013", 0)
	ids := e.people(ch, 50)
	// The simulator no longer knows the stored token.
	e.sim.AddAccount(sim.Account{Kind: channels.KindLINE, ExternalID: "1650000013", DisplayName: "l", AccessToken: "another"})
	b := e.broadcast(ch, text("hi"), time.Now().Add(-time.Second), ids, nil)
	e.runner(nil)
	p := e.waitStatus(b.ID, models.BroadcastPaused, 10*time.Second)
	if p.PauseReason != channels.ReasonInvalidToken {
		t.Fatalf("pause reason %q", p.PauseReason)
	}
	time.Sleep(200 * time.Millisecond)
	if st := e.states(b.ID); st[models.DeliveryPending] != 50 {
		t.Fatalf("states %v, want all pending", st)
	}
}

// The breaker trips on N consecutive failures and on the failure rate.
func TestBreakerTrips(t *testing.T) {
	b := newBreaker(BreakerConfig{Consecutive: 5, Window: 10, Rate: 0.5})
	fail := channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonUnavailable}
	ok := channels.SendResult{Outcome: channels.Sent}
	for range 4 {
		b.observe(fail)
	}
	if _, tripped := b.take(); tripped {
		t.Fatal("tripped early")
	}
	b.observe(fail)
	if r, tripped := b.take(); !tripped || r != PauseConsecutive {
		t.Fatalf("consecutive: %q %v", r, tripped)
	}
	seq := []bool{true, false, true, false, true, true, false, true, false, true, true} // 7 of the last 10 fail
	for _, f := range seq {
		if f {
			b.observe(fail)
		} else {
			b.observe(ok)
		}
	}
	if r, tripped := b.take(); !tripped || r != PauseFailureRate {
		t.Fatalf("rate: %q %v", r, tripped)
	}
}

// Two instances sending on one channel share its limit (leased shares):
// the busiest one-second window of the simulator's record stays at the
// limit (within arrival jitter), and the mean rate is ≥ 85 % of it over
// this short run. Several instances share work on PostgreSQL only, so it runs there
// alone (dbtest.Postgres fails under CI=true when PostgreSQL is missing).
func TestTwoInstancesShareTheRateLimit(t *testing.T) {
	db := dbtest.Postgres(t)
	e := newSendEnv(t, db, sim.Config{})
	const limit = 300
	ch := e.channel(channels.KindMessenger, "100000000000014", limit)
	b := e.broadcast(ch, text("shared"), time.Now().Add(-time.Second), e.people(ch, 2400), nil)
	e.runner(func(c *Config) { c.Instance = "one" })
	e.runner(func(c *Config) { c.Instance = "two" })
	done := e.waitStatus(b.ID, models.BroadcastDone, 60*time.Second)
	e.checkCounters(done)
	if len(e.sim.Duplicates()) > 0 || len(e.sim.Sent()) != 2400 {
		t.Fatalf("sent %d, duplicates %d", len(e.sim.Sent()), len(e.sim.Duplicates()))
	}
	peak, rate := windows(e.sim.Sent())
	t.Logf("limit %d/s: busiest one-second window %d, mean %.0f/s", limit, peak, rate)
	// The buckets pace at 96 % of the limit; requests' arrival at the
	// simulator jitters by tens of milliseconds on a loaded 2-core
	// machine, which a sliding window sees as a few percent.
	// Under the race detector (make test) goroutines run late and
	// arrivals bunch more; the figures of the README come from the
	// benchmark without it.
	slack := 1.05
	if raceOn {
		slack = 1.15
	}
	if float64(peak) > slack*limit {
		t.Errorf("a one-second window held %d requests, above %d × %.2f", peak, limit, slack)
	}
	if rate < 0.85*limit {
		t.Errorf("mean rate %.0f/s, under 85 %% of %d", rate, limit)
	}
}

// windows returns the most requests in any one-second window (sliding)
// and the mean rate between the first and the last.
func windows(sent []sim.Sent) (int, float64) {
	ts := make([]time.Time, len(sent))
	for i, s := range sent {
		ts[i] = s.At
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	peak, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= time.Second {
			j++
		}
		peak = max(peak, i-j+1)
	}
	if len(ts) < 2 {
		return peak, 0
	}
	return peak, float64(len(ts)-1) / ts[len(ts)-1].Sub(ts[0]).Seconds()
}
