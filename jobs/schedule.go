package jobs

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"

	"omnicast/channels"
	"omnicast/models"
)

// Periods of the scheduler's periodic jobs.
const (
	// syncEvery re-reads the scheduled broadcasts, so that a broadcast
	// frozen, edited or scheduled through another instance gets its
	// one-time job here too (web calls Schedule for its own at once).
	syncEvery = 15 * time.Second
	// reclaimEvery returns the deliveries of expired claims (a crashed or
	// stopped worker) to the queue, or marks them uncertain.
	reclaimEvery = 5 * time.Second
	// templatesEvery refreshes the WhatsApp templates of every channel.
	templatesEvery = time.Hour
)

// jobNamespace makes a broadcast's one-time job id from the broadcast id,
// so Schedule and Unschedule find it again without a lookup table.
var jobNamespace = uuid.MustParse("0b8c5b0e-6a43-4bb0-9d0e-0f0a1e5c9a17")

func broadcastJobID(id uint) uuid.UUID {
	return uuid.NewSHA1(jobNamespace, []byte("broadcast:"+strconv.FormatUint(uint64(id), 10)))
}

// scheduler wraps gocron: one one-time job per scheduled broadcast, and
// the periodic jobs. gocron only triggers: whether a broadcast starts is
// decided by models.StartDue's conditional UPDATE, so a double trigger,
// a late sync or a second instance is harmless.
type scheduler struct {
	r *Runner
	s gocron.Scheduler

	mu  sync.Mutex
	set map[uint]time.Time // broadcast → the time its job was registered for
}

func newScheduler(r *Runner) (*scheduler, error) {
	s, err := gocron.NewScheduler(gocron.WithLogger(gocronLogger{r}))
	if err != nil {
		return nil, fmt.Errorf("jobs: create scheduler: %w", err)
	}
	return &scheduler{r: r, s: s, set: map[uint]time.Time{}}, nil
}

// start registers the periodic jobs, runs the boot pass (every scheduled
// broadcast registered again; those due start now or are marked missed)
// and starts triggering.
func (sc *scheduler) start(ctx context.Context) error {
	periodic := []struct {
		name  string
		every time.Duration
		run   func(context.Context)
	}{
		{"sync-scheduled", syncEvery, func(context.Context) { sc.sync() }},
		{"reclaim-claims", reclaimEvery, sc.r.reclaim},
		{"refresh-wa-templates", templatesEvery, sc.r.refreshTemplates},
		{"apply-receipts", receiptsEvery, sc.r.applyReceipts},
		{"run-taps", tapsEvery, sc.r.runTaps},
		{"refresh-line-quota", quotaEvery, sc.r.refreshLineQuotas},
		{"prune-events", pruneEvery, sc.r.pruneEvents},
	}
	for _, p := range periodic {
		if _, err := sc.s.NewJob(gocron.DurationJob(p.every), gocron.NewTask(func() { p.run(ctx) }),
			gocron.WithName(p.name), gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
			return fmt.Errorf("jobs: register %s: %w", p.name, err)
		}
	}
	sc.s.Start()
	sc.r.reclaim(ctx)
	sc.sync()
	return nil
}

// sync registers a job for every scheduled broadcast whose job is missing
// or set for another time.
func (sc *scheduler) sync() {
	refs, err := models.ScheduledBroadcasts(sc.r.cfg.DB)
	if err != nil {
		sc.r.log.Error("listing scheduled broadcasts failed", "err", err)
		return
	}
	for _, ref := range refs {
		sc.mu.Lock()
		at, ok := sc.set[ref.ID]
		sc.mu.Unlock()
		if ok && at.Equal(ref.ScheduledAt) {
			continue
		}
		if err := sc.schedule(ref.ID, ref.ScheduledAt); err != nil {
			sc.r.log.Error("scheduling a broadcast failed", "broadcast", ref.ID, "err", err)
		}
	}
}

// schedule registers (or moves) the one-time job of broadcast id for at;
// a time already past triggers at once.
func (sc *scheduler) schedule(id uint, at time.Time) error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	when := gocron.OneTimeJobStartImmediately()
	if wait := at.Sub(sc.r.cfg.Now()); wait > 0 {
		// gocron waits by the wall clock, while StartDue judges by the
		// runner's clock: fire when the runner's clock reaches at (the
		// same instant when the clock is time.Now).
		when = gocron.OneTimeJobStartDateTime(time.Now().Add(wait))
	}
	jobID := broadcastJobID(id)
	def := gocron.OneTimeJob(when)
	task := gocron.NewTask(func() { sc.trigger(id) })
	opts := []gocron.JobOption{gocron.WithIdentifier(jobID), gocron.WithName("broadcast-" + strconv.FormatUint(uint64(id), 10))}
	var err error
	if _, known := sc.set[id]; known {
		_, err = sc.s.Update(jobID, def, task, opts...)
	}
	if _, known := sc.set[id]; !known || err != nil {
		_ = sc.s.RemoveJob(jobID) // the job ran and went, or never was
		_, err = sc.s.NewJob(def, task, opts...)
	}
	if err != nil {
		return fmt.Errorf("jobs: schedule broadcast %d at %s: %w", id, at.Format(time.RFC3339), err)
	}
	sc.set[id] = at
	return nil
}

// unschedule removes broadcast id's job (cancelled, back to draft).
func (sc *scheduler) unschedule(id uint) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	_ = sc.s.RemoveJob(broadcastJobID(id))
	delete(sc.set, id)
}

// trigger is broadcast id's one-time job: start it if it is due.
func (sc *scheduler) trigger(id uint) {
	r := sc.r
	res, err := models.StartDue(r.cfg.DB, id, r.cfg.Now(), r.cfg.MaxLateness, r.publicURL())
	sc.mu.Lock()
	delete(sc.set, id) // a one-time job is gone once it ran
	sc.mu.Unlock()
	switch {
	case err != nil:
		// The next sync registers it again and retries.
		r.log.Error("starting a scheduled broadcast failed", "broadcast", id, "err", err)
	case res == models.StartStarted:
		r.log.Info("broadcast started", "broadcast", id)
		r.Wake(WorkerDispatch)
	case res == models.StartMissed:
		r.log.Warn("broadcast missed: its time passed too long ago while omnicast was down; staff may send or cancel it",
			"broadcast", id, "max_lateness", r.cfg.MaxLateness.String())
	case res == models.StartNotDue:
		sc.sync() // its time moved later
	}
}

func (sc *scheduler) stop() error {
	if err := sc.s.Shutdown(); err != nil {
		return fmt.Errorf("jobs: stop scheduler: %w", err)
	}
	return nil
}

// Schedule registers (or moves) the trigger of broadcast id for at: web
// calls it after a confirmation or an edit of the time, so the job is
// exact at once rather than at the next sync.
func (r *Runner) Schedule(id uint, at time.Time) error {
	if r.sched == nil {
		return nil
	}
	return r.sched.schedule(id, at)
}

// Unschedule removes the trigger of broadcast id (cancelled).
func (r *Runner) Unschedule(id uint) {
	if r.sched != nil {
		r.sched.unschedule(id)
	}
}

// publicURL is the address images are fetched from: the workspace's
// setting, else the configured one.
func (r *Runner) publicURL() string {
	w, err := models.LoadWorkspace(r.cfg.DB, models.Workspace{PublicURL: r.cfg.PublicURL})
	if err != nil {
		return r.cfg.PublicURL
	}
	return w.PublicURL
}

// refreshTemplates keeps every WhatsApp channel's templates current.
func (r *Runner) refreshTemplates(ctx context.Context) {
	if r.cfg.Sealer == nil {
		return
	}
	list, err := models.ListChannels(r.cfg.DB)
	if err != nil {
		r.log.Error("listing channels for the template refresh failed", "err", err)
		return
	}
	for i := range list {
		ch := &list[i]
		if ch.Kind != channels.KindWhatsApp {
			continue
		}
		if _, err := SyncWATemplates(ctx, r.cfg.DB, r.cfg.Sealer, ch, r.cfg.Now()); err != nil {
			r.log.Warn("refreshing WhatsApp templates failed", "channel", ch.ID, "err", err)
		}
	}
}

// gocronLogger sends gocron's own messages to the runner's log.
type gocronLogger struct{ r *Runner }

func (l gocronLogger) Debug(string, ...any) {}
func (l gocronLogger) Info(string, ...any)  {}
func (l gocronLogger) Warn(msg string, args ...any) {
	l.r.log.Warn("scheduler: "+msg, args...)
}
func (l gocronLogger) Error(msg string, args ...any) {
	l.r.log.Error("scheduler: "+msg, args...)
}
