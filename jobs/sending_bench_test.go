package jobs

// The sending figures of the README (issue 9), on PostgreSQL with the
// simulator in a child process:
//
//	OMNICAST_TEST_DATABASE_URL=… go test ./jobs -run '^$' -bench SendingFigures -benchtime 1x -timeout 60m
//
// Knobs: OMNICAST_BENCH_SENDS (single-recipient sends, default 100000),
// OMNICAST_BENCH_MULTICAST (LINE multicast recipients, default 1000000),
// OMNICAST_BENCH_RATES (limits, default "80,300,1000") and
// OMNICAST_BENCH_RATE_SECONDS (how long each limit is held, default 60)
// and OMNICAST_BENCH_LATENCY (the simulator's latency per API call,
// default 30ms: a platform answers in tens of milliseconds, and the
// figures are taken with it on). Each figure is printed as a FIGURE line.

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

func BenchmarkSendingFigures(b *testing.B) {
	b.Run("sends", func(b *testing.B) {
		n := benchEnvInt(b, "OMNICAST_BENCH_SENDS", 100_000)
		e := newSendBench(b, benchAccount{Kind: channels.KindMessenger, ExternalID: "100000000000901", People: n})
		ch := e.channel(models.MaxRateLimit)
		e.runner("one")
		run := e.sendAll(ch, "週末快閃活動開跑，歡迎光臨！", n)
		sum := e.sim.finish(b)[ch.ExternalID]
		e.checkRecord(sum, n)
		fmt.Printf("FIGURE postgres sends        messenger %d recipients, no rate limit: %.0f sends/s while sending (%.1f s), %.1f s from confirm to done; peak RSS %.0f MB\n",
			n, float64(n)/run.sending.Seconds(), run.sending.Seconds(), run.total.Seconds(), run.peakRSS)
	})
	b.Run("multicast", func(b *testing.B) {
		n := benchEnvInt(b, "OMNICAST_BENCH_MULTICAST", 1_000_000)
		e := newSendBench(b, benchAccount{Kind: channels.KindLINE, ExternalID: "Ubench0multicast", People: n})
		ch := e.channel(0)
		e.runner("one")
		run := e.sendAll(ch, "本週新品上市，歡迎來店選購！", n)
		sum := e.sim.finish(b)[ch.ExternalID]
		e.checkRecord(sum, n)
		fmt.Printf("FIGURE postgres multicast    line %d recipients: %.1f s from confirm to done (freeze %.1f s, sending %.1f s); peak RSS %.0f MB\n",
			n, run.total.Seconds(), run.freeze.Seconds(), run.sending.Seconds(), run.peakRSS)
		if run.total > time.Minute {
			b.Errorf("multicast to %d took %s, over 60 s", n, run.total)
		}
		if run.peakRSS >= 300 {
			b.Errorf("peak RSS %.0f MB, not under 300 MB", run.peakRSS)
		}
	})
	for _, limit := range benchRates(b) {
		for _, instances := range []int{1, 2} {
			b.Run(fmt.Sprintf("rate_%d_x%d", limit, instances), func(b *testing.B) { benchRate(b, limit, instances) })
		}
	}
}

// benchRate holds one limit for OMNICAST_BENCH_RATE_SECONDS with one or
// two instances and reads the busiest one-second window and the mean rate
// from the simulator's record.
func benchRate(b *testing.B, limit, instances int) {
	secs := benchEnvInt(b, "OMNICAST_BENCH_RATE_SECONDS", 60)
	n := limit * secs
	e := newSendBench(b, benchAccount{Kind: channels.KindMessenger, ExternalID: fmt.Sprintf("1000000000%05d", limit), People: n})
	ch := e.channel(float64(limit))
	for i := range instances {
		e.runner(fmt.Sprintf("instance-%d", i+1))
	}
	e.sendAll(ch, "會員日提醒：明天見！", n)
	sum := e.sim.finish(b)[ch.ExternalID]
	e.checkRecord(sum, n)
	fmt.Printf("FIGURE postgres rate         limit %4d/s, %d instance(s), %d sends: busiest one-second window %d, mean %.1f/s (%.1f %% of the limit) over %.0f s\n",
		limit, instances, n, sum.PeakRequests, sum.MeanRequests, 100*sum.MeanRequests/float64(limit), sum.Last.Sub(sum.First).Seconds())
	if sum.PeakRequests > limit {
		b.Errorf("limit %d with %d instance(s): a one-second window held %d requests", limit, instances, sum.PeakRequests)
	}
	if sum.MeanRequests < 0.95*float64(limit) {
		b.Errorf("limit %d with %d instance(s): mean %.1f/s, under 95 %%", limit, instances, sum.MeanRequests)
	}
}

// sendBench is PostgreSQL, a child simulator and the accounts on it.
type sendBench struct {
	b      *testing.B
	db     *gorm.DB
	sim    *benchSim
	acc    benchAccount
	sealer *models.Sealer
	user   uint
	// runners are woken after the confirmation, as the composer's
	// handler wakes its own.
	runners []*Runner
}

func newSendBench(b *testing.B, acc benchAccount) *sendBench {
	b.Helper()
	db := dbtest.Postgres(b)
	acc.Token, acc.Secret = "tok-"+acc.ExternalID, "secret-"+acc.ExternalID
	s := startBenchSim(b, benchSimSpec{Accounts: []benchAccount{acc}, Latency: benchLatency(b)})
	sealer, err := models.NewSealer([]byte("0123456789abcdef0123456789abcdef-bench"))
	if err != nil {
		b.Fatal(err)
	}
	// The staff member who composes and confirms.
	u, err := models.CreateUser(db, models.NewUserInput{Email: "bench@example.com", Name: "Bench", Role: models.RoleAdmin, Password: "correct horse battery"})
	if err != nil {
		b.Fatal(err)
	}
	return &sendBench{b: b, db: db, sim: s, acc: acc, sealer: sealer, user: u.ID}
}

// channel connects the account with a rate limit (0: the kind's
// default) and generates its people as subscribed contacts inside the
// 24-hour window, the way an import leaves them (statistics refreshed).
func (e *sendBench) channel(perSecond float64) *models.Channel {
	e.b.Helper()
	a := e.acc
	ch, err := models.CreateChannel(e.db, e.sealer, models.ChannelInput{Kind: a.Kind, Name: "bench " + a.ExternalID, ExternalID: a.ExternalID,
		Token: a.Token, Secret: a.Secret, APIBaseURL: e.sim.base, RateLimit: perSecond})
	if err != nil {
		e.b.Fatal(err)
	}
	start := time.Now()
	if err := e.db.Exec(`INSERT INTO contacts (channel_id, external_id, name, subscribed, subscribed_at, last_interaction_at, created_at, updated_at)
		SELECT ?, `+benchPersonIDSQL(a.Kind)+`, 'Person ' || g, true, now(), now(), now(), now() FROM generate_series(1, ?) AS g`, ch.ID, a.People).Error; err != nil {
		e.b.Fatal(err)
	}
	if err := models.RefreshStatistics(context.Background(), e.db); err != nil {
		e.b.Fatal(err)
	}
	fmt.Printf("FIGURE postgres setup        %s: %d contacts generated in %.1f s (not measured); simulator latency %s per call\n",
		a.Kind, a.People, time.Since(start).Seconds(), benchLatency(e.b))
	return ch
}

// runner starts a runner with the defaults serve uses.
func (e *sendBench) runner(instance string) {
	e.b.Helper()
	r, err := New(Config{DB: e.db, Logger: quietLog(), Sealer: e.sealer, Instance: instance})
	if err != nil {
		e.b.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		e.b.Fatal(err)
	}
	e.runners = append(e.runners, r)
	e.b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
}

type sendRun struct {
	total, freeze, sending time.Duration
	peakRSS                float64 // MB
}

// sendAll saves an audience of every contact of the channel, confirms a
// send-now broadcast of text, as the composer does, and waits until it
// is done, sampling this process's resident memory.
func (e *sendBench) sendAll(ch *models.Channel, text string, n int) sendRun {
	e.b.Helper()
	now := time.Now()
	a, err := models.SaveAudience(e.db, models.ContactFilter{ChannelID: ch.ID}, nil, true, e.user, now)
	if err != nil {
		e.b.Fatal(err)
	}
	d := models.Draft{ChannelID: ch.ID, Subject: "bench", SendNow: true, Audience: models.AudienceSpec{AudienceID: &a.ID},
		Content: models.BroadcastContent{Messages: []models.MessageSpec{{Type: models.MessageText, Text: text}}}}
	if ch.Kind == channels.KindMessenger {
		d.MessageTag = models.TagStandard
	}
	bc, err := models.SaveDraft(e.db, d, 0, 0, models.Actor{UserID: e.user}, models.MethodManual, now)
	if err != nil {
		e.b.Fatal(err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	stopRSS, peak := sampleRSS()
	start := time.Now()
	if _, errs, err := models.ConfirmBroadcast(e.db, bc.ID, bc.Version, models.Actor{UserID: e.user}, models.ValidateEnv{Now: now}); err != nil || len(errs) > 0 {
		e.b.Fatalf("confirm: %v %+v", err, errs)
	}
	e.runners[0].Wake(WorkerFreeze)
	var run sendRun
	for {
		got, err := models.FindBroadcast(e.db, bc.ID)
		if err != nil {
			e.b.Fatal(err)
		}
		if run.freeze == 0 && got.Status != models.BroadcastPreparing {
			run.freeze = time.Since(start)
		}
		if got.Status == models.BroadcastDone {
			run.total = time.Since(start)
			if got.StartedAt != nil && got.FinishedAt != nil {
				run.sending = got.FinishedAt.Sub(*got.StartedAt)
			}
			if got.SentCount != int64(n) {
				e.b.Errorf("sent %d of %d (failed %d, skipped %d, uncertain %d)", got.SentCount, n, got.FailedCount, got.SkippedCount, got.UncertainCount)
			}
			break
		}
		if time.Since(start) > 30*time.Minute {
			e.b.Fatalf("broadcast %d still %s after 30 min", bc.ID, got.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopRSS()
	run.peakRSS = *peak
	return run
}

// checkRecord: the simulator accepted everyone exactly once.
func (e *sendBench) checkRecord(sum *benchSimSummary, n int) {
	e.b.Helper()
	if sum == nil || sum.Sent != n || sum.Duplicates != 0 {
		e.b.Fatalf("simulator record: %+v, want %d sent and no duplicates", sum, n)
	}
}

// sampleRSS samples this process's resident memory every 100 ms until
// stop; peak holds the most seen, in MB.
func sampleRSS() (stop func(), peak *float64) {
	peak = new(float64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if mb := residentMB(); mb > *peak {
				*peak = mb
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }, peak
}

// residentMB reads VmRSS from /proc/self/status.
func residentMB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func benchEnvInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// benchLatency is the simulator's latency per API call.
func benchLatency(b *testing.B) time.Duration {
	v := os.Getenv("OMNICAST_BENCH_LATENCY")
	if v == "" {
		return 30 * time.Millisecond
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		b.Fatalf("OMNICAST_BENCH_LATENCY=%q: want a duration such as 30ms", v)
	}
	return d
}

func benchRates(b *testing.B) []int {
	v := os.Getenv("OMNICAST_BENCH_RATES")
	if v == "" {
		return []int{80, 300, 1000}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("OMNICAST_BENCH_RATES=%q", v)
		}
		out = append(out, n)
	}
	return out
}
