package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
)

// DemoOptions shape the demo workspace.
type DemoOptions struct {
	// WebhookBase is omnicast's own address as the simulator calls it,
	// e.g. http://127.0.0.1:8080.
	WebhookBase string
	// PeoplePerChannel is how many simulated people each account gets.
	PeoplePerChannel int
	// Seed makes the workspace reproducible.
	Seed uint64
	// SimAddr is where the simulator listens; empty picks a free port. A
	// fixed address keeps the people's picture URLs valid across restarts.
	SimAddr string
	// Now is the clock; the seeded history ends at Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Progress, when set, is told how far seeding has come (done of total).
	Progress func(done, total int)
}

// Demo is a running demo workspace: an in-process simulator of all four
// platforms wired to channels in omnicast's database.
type Demo struct {
	Sim      *sim.Sim
	SimURL   string
	Channels []models.Channel
	clock    *demoClock
	// stopServer closes the listener of a simulator on a fixed address.
	stopServer func()
}

// demoClock lets seeding place simulated events in the past: the simulator
// stamps each webhook with the clock's time.
type demoClock struct {
	mu  sync.Mutex
	now func() time.Time
	at  time.Time // zero: the real clock
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return c.now()
	}
	return c.at
}

func (c *demoClock) set(t time.Time) { c.mu.Lock(); c.at = t; c.mu.Unlock() }

// demoAccount describes one connected account of the demo.
type demoAccount struct {
	kind, name, externalID, waba string
}

func demoAccounts() []demoAccount {
	return []demoAccount{
		{channels.KindMessenger, "好日子咖啡 Facebook", "104857600012345", ""},
		{channels.KindLINE, "好日子咖啡 LINE 官方帳號", "1657000001", ""},
		{channels.KindWhatsApp, "Good Day Coffee HK WhatsApp", "109876543210987", "220000000000001"},
		{channels.KindInstagram, "gooddaycoffee.tw Instagram", "17841400000000001", ""},
	}
}

func demoTags() []string {
	return []string{"VIP", "新客戶", "回購客", "台北", "台中", "高雄", "香港", "咖啡豆", "甜點", "會員", "優惠券", "活動報名", "Newsletter", "Wholesale", "生日月"}
}

func demoLines() []string {
	return []string{"請問今天有營業嗎？", "我想訂購咖啡豆", "謝謝！", "有優惠嗎？", "Hi, do you ship to Hong Kong?", "請問會員點數怎麼查？", "好的", "What time do you open?", "想預約週末的位子", "收到了，謝謝 🙏"}
}

// StartDemo starts the simulator, connects one account of each kind to it
// and fills the workspace with simulated people who followed and messaged
// over the past months — all through real, signed webhooks.
func StartDemo(ctx context.Context, db *gorm.DB, sealer *models.Sealer, opt DemoOptions) (*Demo, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.PeoplePerChannel <= 0 {
		opt.PeoplePerChannel = 300
	}
	clock := &demoClock{now: opt.Now}
	s := sim.New(sim.Config{Now: clock.Now, ReceiptDelay: time.Second, Seed: int64(opt.Seed), Logger: opt.Logger})
	simURL, stopServer, err := startSim(s, opt.SimAddr)
	if err != nil {
		return nil, fmt.Errorf("jobs: start simulator: %w", err)
	}
	d := &Demo{Sim: s, SimURL: simURL, clock: clock, stopServer: stopServer}
	for _, a := range demoAccounts() {
		ch, err := demoChannel(db, sealer, a, simURL)
		if err != nil {
			d.Close()
			return nil, err
		}
		d.Channels = append(d.Channels, *ch)
		secrets, err := ch.Secrets(sealer)
		if err != nil {
			d.Close()
			return nil, err
		}
		s.AddAccount(sim.Account{
			Kind: a.kind, ExternalID: a.externalID, WABAID: a.waba, DisplayName: a.name,
			AccessToken: secrets.AccessToken, Secret: secrets.Secret,
			WebhookURL:    opt.WebhookBase + "/webhooks/" + a.kind + "/" + strconv.FormatUint(uint64(ch.ID), 10),
			RatePerSecond: ch.RateLimit, MonthlyQuota: demoQuota(a.kind),
		})
		if a.kind == channels.KindWhatsApp {
			if err := addDemoTemplates(s, a.waba); err != nil {
				d.Close()
				return nil, err
			}
		}
	}
	if err := d.seed(ctx, db, opt); err != nil {
		d.Close()
		return nil, err
	}
	for i := range d.Channels {
		if ch := &d.Channels[i]; ch.Kind == channels.KindWhatsApp {
			if _, err := SyncWATemplates(ctx, db, sealer, ch, opt.Now()); err != nil {
				d.Close()
				return nil, err
			}
		}
	}
	return d, nil
}

func demoQuota(kind string) int {
	if kind == channels.KindLINE {
		return 6000
	}
	return 0
}

// demoChannel returns the demo account's channel, creating it on first run
// and pointing it at this run's simulator.
func demoChannel(db *gorm.DB, sealer *models.Sealer, a demoAccount, simURL string) (*models.Channel, error) {
	var existing models.Channel
	err := db.Where("kind = ? AND external_id = ?", a.kind, a.externalID).First(&existing).Error
	if err == nil {
		if err := db.Model(&existing).Update("api_base_url", simURL).Error; err != nil {
			return nil, fmt.Errorf("jobs: point demo channel at simulator: %w", err)
		}
		existing.APIBaseURL = simURL
		return &existing, nil
	}
	ch, err := models.CreateChannel(db, sealer, models.ChannelInput{
		Kind: a.kind, Name: a.name, ExternalID: a.externalID, WABAID: a.waba,
		Token: "demo-" + a.kind + "-" + models.NewVerifyToken(), Secret: "demo-secret-" + models.NewVerifyToken(),
		APIBaseURL: simURL,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: create demo channel %s: %w", a.kind, err)
	}
	return ch, nil
}

// seed makes every simulated person follow (or first message) at a time
// spread over the past 18 months, then message now and then, a tenth
// write within the past day, a few LINE followers later unfollow;
// finally tags are put on a share of contacts.
func (d *Demo) seed(ctx context.Context, db *gorm.DB, opt DemoOptions) error {
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed))
	// Its own source: the rest of the seeded history stays as it was.
	today := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x24))
	end := opt.Now()
	start := end.AddDate(0, -18, 0)
	total := opt.PeoplePerChannel * len(d.Channels)
	done := 0
	defer d.clock.set(time.Time{})
	for i, a := range demoAccounts() {
		people := sim.RandomPeople(opt.PeoplePerChannel, int64(opt.Seed)+int64(i), a.kind)
		for _, p := range people {
			if err := ctx.Err(); err != nil {
				return err
			}
			d.Sim.AddPerson(a.externalID, p)
			joined := start.Add(time.Duration(rng.Int64N(int64(end.Sub(start)))))
			d.clock.set(joined)
			if err := d.Sim.Follow(ctx, a.externalID, p.ID); err != nil {
				return fmt.Errorf("jobs: demo follow: %w", err)
			}
			last := joined
			for n := rng.IntN(4); n > 0; n-- {
				last = last.Add(time.Duration(rng.Int64N(int64(end.Sub(last))/2 + 1)))
				d.clock.set(last)
				if err := d.Sim.Message(ctx, a.externalID, p.ID, demoLines()[rng.IntN(len(demoLines()))]); err != nil {
					return fmt.Errorf("jobs: demo message: %w", err)
				}
			}
			if at, ok := wroteToday(today, last, end); ok {
				last = at
				d.clock.set(last)
				if err := d.Sim.Message(ctx, a.externalID, p.ID, demoLines()[today.IntN(len(demoLines()))]); err != nil {
					return fmt.Errorf("jobs: demo message: %w", err)
				}
			}
			if a.kind == channels.KindLINE && rng.IntN(10) == 0 {
				d.clock.set(last.Add(time.Duration(rng.Int64N(int64(end.Sub(last)) + 1))))
				if err := d.Sim.Unfollow(ctx, a.externalID, p.ID); err != nil {
					return fmt.Errorf("jobs: demo unfollow: %w", err)
				}
			}
			done++
			if opt.Progress != nil {
				opt.Progress(done, total)
			}
		}
	}
	return d.tagContacts(db, rng)
}

// wroteToday picks a tenth of the people to write once more within the
// day before end (after their last message). A Page whose people all
// wrote long ago reaches almost no one with a standard Messenger message
// (24-hour window): the demo's first broadcast would show one delivery
// out of 300, or none.
func wroteToday(rng *rand.Rand, last, end time.Time) (time.Time, bool) {
	if rng.IntN(10) != 0 {
		return time.Time{}, false
	}
	at := end.Add(-time.Duration(rng.Int64N(int64(23 * time.Hour))))
	if !at.After(last) {
		return time.Time{}, false
	}
	return at, true
}

// tagContacts puts 0–4 demo tags on each contact.
func (d *Demo) tagContacts(db *gorm.DB, rng *rand.Rand) error {
	tags, err := models.EnsureTags(db, demoTags())
	if err != nil {
		return err
	}
	byTag := map[uint][]uint64{}
	for _, ch := range d.Channels {
		var ids []uint64
		if err := db.Model(&models.Contact{}).Where("channel_id = ?", ch.ID).Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("jobs: demo contacts: %w", err)
		}
		for _, id := range ids {
			for n := rng.IntN(5); n > 0; n-- {
				t := tags[rng.IntN(len(tags))]
				byTag[t.ID] = append(byTag[t.ID], id)
			}
		}
	}
	for _, t := range tags {
		if err := models.TagContacts(db, byTag[t.ID], []models.Tag{t}); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the simulator.
func (d *Demo) Close() {
	d.Sim.Close()
	d.stopServer()
}

// startSim serves the simulator on addr, or on a free port when addr is empty.
func startSim(s *sim.Sim, addr string) (string, func(), error) {
	if addr == "" {
		u, err := s.Start()
		return u, func() {}, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = hs.Close() }, nil
}

// WorkerDemo fills a new workspace with the demo when the set-up page
// asks for it, then keeps its simulated people active until the stop.
const WorkerDemo = "demo"

// DemoStatus is how far the demo job has come.
type DemoStatus struct {
	// Running: the workspace is being filled (Done of Total people).
	Running     bool
	Done, Total int
	// Failed: the last fill failed (its error is in the log).
	Failed bool
	// Ready: the demo is in place and its simulator runs.
	Ready bool
}

// DemoJob is the demo as a job of the runner: web only asks for it
// (Request) and reads its progress (Status); the runner's demo worker
// does the work under the runner's context and stops with it.
type DemoJob struct {
	r        *Runner
	opt      DemoOptions
	activity float64

	mu     sync.Mutex
	base   string // the requested webhook base, until the worker takes it
	status DemoStatus
}

// AddDemoJob registers the demo worker on r (before Start). opt shapes
// the workspace (its WebhookBase and Progress are the job's own);
// activity is the simulated follows and messages per second once filled
// (0: none).
func AddDemoJob(r *Runner, opt DemoOptions, activity float64) (*DemoJob, error) {
	if opt.Logger == nil {
		opt.Logger = r.log
	}
	j := &DemoJob{r: r, opt: opt, activity: activity}
	if err := r.Add(WorkerDemo, j.run); err != nil {
		return nil, err
	}
	return j, nil
}

// Request asks for the demo workspace, whose simulator sends webhooks to
// webhookBase; it never blocks, and tells whether the fill was queued
// (false: one is running or done already).
func (j *DemoJob) Request(webhookBase string) bool {
	j.mu.Lock()
	if j.status.Running || j.status.Ready {
		j.mu.Unlock()
		return false
	}
	j.base = webhookBase
	j.status = DemoStatus{Running: true}
	j.mu.Unlock()
	j.r.Wake(WorkerDemo)
	return true
}

// Status is the job's progress.
func (j *DemoJob) Status() DemoStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.status
}

func (j *DemoJob) progress(done, total int) {
	j.mu.Lock()
	j.status.Done, j.status.Total = done, total
	j.mu.Unlock()
}

// run is the demo worker: it waits for a request, fills the workspace
// and then runs the simulator (and its activity) until ctx ends.
func (j *DemoJob) run(ctx context.Context, wake <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		j.mu.Lock()
		base := j.base
		j.base = ""
		j.mu.Unlock()
		if base == "" {
			continue
		}
		opt := j.opt
		opt.WebhookBase, opt.Progress = base, j.progress
		d, err := StartDemo(ctx, j.r.cfg.DB, j.r.cfg.Sealer, opt)
		j.mu.Lock()
		j.status.Running, j.status.Failed, j.status.Ready = false, err != nil, err == nil
		j.mu.Unlock()
		if err != nil {
			j.r.log.Error("demo workspace failed", "err", err)
			continue
		}
		j.r.log.Info("demo workspace ready", "simulator", d.SimURL)
		if j.activity > 0 {
			if err := d.Sim.Simulate(ctx, sim.Activity{Rate: j.activity}); err != nil && ctx.Err() == nil {
				j.r.log.Warn("simulated activity stopped", "err", err)
			}
		}
		<-ctx.Done()
		d.Close()
		return
	}
}
