package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
)

// TestTwoServeProcessesShareTheWork runs two real serve processes on one
// PostgreSQL with 200 broadcasts on one Messenger channel, all scheduled
// for the same moment. Each broadcast is started once (the conditional
// UPDATE decides which process), every person gets each message once (the
// simulator's record), and the channel's limit holds for both processes
// together: no one-second window of the record goes above it.
func TestTwoServeProcessesShareTheWork(t *testing.T) {
	const broadcasts, pool, each, limit = 200, 300, 15, 300
	f := newSendFixture(t)
	ch := f.channel(channels.KindMessenger, "100000000000702", limit)
	ids := f.people(ch, pool)
	at := time.Now().Add(8 * time.Second).Truncate(time.Second)
	want := map[uint]string{}
	for i := range broadcasts {
		audience := make([]uint64, each)
		for j := range each {
			audience[j] = ids[(i*each+j)%pool]
		}
		text := fmt.Sprintf("第 %d 則週年慶", i+1)
		b := f.broadcast(ch, text, at, audience)
		want[b.ID] = text
	}

	bin := omnicastBinary(t)
	procs := []*proc{
		startProc(t, bin, f.env(), "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()),
		startProc(t, bin, f.env(), "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()),
	}
	for _, p := range procs {
		p.serving(60 * time.Second)
	}
	if time.Now().After(at) {
		t.Fatalf("the processes started after the broadcasts' time; the test proves nothing")
	}
	waitFor(t, 60*time.Second, "every broadcast done", func() bool {
		var n int64
		f.db.Model(&models.Broadcast{}).Where("status = ?", models.BroadcastDone).Count(&n)
		return n == broadcasts
	})
	for _, p := range procs {
		p.stop(syscall.SIGTERM, 20*time.Second)
	}

	// Each broadcast started once, by one process, on time.
	started := map[uint]int{}
	perProc := make([]int, len(procs))
	for i, p := range procs {
		for _, line := range strings.Split(p.log(), "\n") {
			var l struct {
				Msg       string
				Broadcast uint
			}
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "broadcast started" {
				started[l.Broadcast]++
				perProc[i]++
			}
		}
	}
	var late time.Duration
	for id := range want {
		if started[id] != 1 {
			t.Errorf("broadcast %d started %d times", id, started[id])
		}
		b, _ := models.FindBroadcast(f.db, id)
		f.checkCounters(b)
		if b.SentCount != each || b.StartedAt == nil {
			t.Errorf("broadcast %d: sent %d of %d", id, b.SentCount, each)
			continue
		}
		late = max(late, b.StartedAt.Sub(at))
	}
	// Every person got each message once.
	sent := f.sim.Sent()
	if d := f.sim.Duplicates(); len(d) > 0 {
		t.Fatalf("%d messages went twice, e.g. %v", len(d), d[:min(5, len(d))])
	}
	if len(sent) != broadcasts*each {
		t.Fatalf("the simulator recorded %d messages, want %d", len(sent), broadcasts*each)
	}
	peak, rate := sendWindows(sent)
	t.Logf("FIGURE two processes, %d broadcasts at one time: started by each %v, latest start %s after the time; "+
		"limit %d/s: busiest one-second window %d, mean %.0f/s", broadcasts, perProc, late.Round(time.Millisecond), limit, peak, rate)
	if late > 3*time.Second {
		t.Errorf("a broadcast started %s after its time", late)
	}
	if float64(peak) > 1.05*limit {
		t.Errorf("a one-second window held %d requests, above the channel's %d/s", peak, limit)
	}
	if rate < 0.8*limit {
		t.Errorf("mean rate %.0f/s, under 80 %% of %d/s", rate, limit)
	}
}

// sendWindows returns the most requests in any sliding one-second window
// and the mean rate between the first request and the last.
func sendWindows(sent []sim.Sent) (int, float64) {
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
