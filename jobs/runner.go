package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
)

// Config is what the background work needs from the process.
type Config struct {
	DB     *gorm.DB
	Logger *slog.Logger
	// Now is the clock; tests pass a fixed one. Defaults to time.Now.
	Now func() time.Time
	// Instance names this process in the work it claims, so that another
	// instance can tell whose work went quiet. Defaults to host, pid and a
	// random suffix.
	Instance string
	// Poll is how often an idle worker looks for work that another
	// instance queued (its own queue wakes it at once). Defaults to 2 s.
	Poll time.Duration
	// ImportBatch overrides the rows an import writes per transaction
	// (0: the models' default).
	ImportBatch int
	// MaxLateness is how late a scheduled broadcast may start after its
	// time (OMNICAST_MAX_LATENESS); past it, it is marked missed.
	// Defaults to models.DefaultMaxLateness.
	MaxLateness time.Duration
	// PublicURL is the https address platforms fetch images from.
	PublicURL string
	// Sealer opens the channels' credentials (for the platform clients).
	Sealer *models.Sealer
	// Senders builds the platform client of a channel; defaults to
	// channelSenders (the clients of channels/connect).
	Senders SenderFactory
	// Dispatch tunes the dispatcher (zero: defaults).
	Dispatch DispatchConfig
}

// WorkerFunc is one named worker: it runs until ctx ends, and wake tells
// it that new work was queued in this process.
type WorkerFunc func(ctx context.Context, wake <-chan struct{})

type worker struct {
	name string
	run  WorkerFunc
	wake chan struct{}
}

// Runner is the one lifecycle object owning omnicast's background work: a
// set of named workers that share a context and a WaitGroup. serve creates
// it, starts it, hands it to the web server (which only wakes workers,
// never starts goroutines) and stops it at shutdown. CSV imports are its
// first worker; broadcast scheduling, dispatch and receipt processing
// join it as further workers.
type Runner struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	workers map[string]*worker
	cancel  context.CancelFunc
	started bool
	wg      sync.WaitGroup

	sched    *scheduler
	dispatch *dispatcher
}

// Worker names.
const (
	// WorkerImports runs queued CSV imports, one at a time per instance,
	// and marks those of vanished instances interrupted.
	WorkerImports = "imports"
)

// New builds a runner with omnicast's workers, not yet started.
func New(cfg Config) (*Runner, error) {
	if cfg.DB == nil {
		return nil, errors.New("jobs: no database")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Instance == "" {
		cfg.Instance = InstanceName("serve")
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.MaxLateness == 0 {
		cfg.MaxLateness = models.DefaultMaxLateness
	}
	if cfg.Senders == nil {
		cfg.Senders = channelSenders(cfg.Sealer)
	}
	r := &Runner{cfg: cfg, log: cfg.Logger, workers: map[string]*worker{}}
	if err := r.Add(WorkerImports, r.importWorker); err != nil {
		return nil, err
	}
	if err := r.Add(WorkerFreeze, r.freezeWorker); err != nil {
		return nil, err
	}
	sched, err := newScheduler(r)
	if err != nil {
		return nil, err
	}
	r.sched = sched
	r.dispatch = newDispatcher(r)
	if err := r.Add(WorkerDispatch, r.dispatch.run); err != nil {
		return nil, err
	}
	return r, nil
}

// InstanceName names a process for the work it claims: role, host, pid
// and a random suffix (pids repeat across containers).
func InstanceName(role string) string {
	host, _ := os.Hostname()
	raw := make([]byte, 4)
	_, _ = rand.Read(raw)
	return fmt.Sprintf("%s:%s:%d:%s", role, host, os.Getpid(), hex.EncodeToString(raw))
}

// Add registers a worker; it must come before Start.
func (r *Runner) Add(name string, run WorkerFunc) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return fmt.Errorf("jobs: add worker %q after start", name)
	}
	if _, dup := r.workers[name]; dup {
		return fmt.Errorf("jobs: worker %q added twice", name)
	}
	r.workers[name] = &worker{name: name, run: run, wake: make(chan struct{}, 1)}
	return nil
}

// Start runs every worker in its own goroutine until Stop (or the end of
// ctx).
func (r *Runner) Start(ctx context.Context) error {
	ctx, err := r.startWorkers(ctx)
	if err != nil {
		return err
	}
	// The scheduler starts last, outside the lock: its boot pass may start
	// broadcasts, which wakes the dispatcher.
	return r.sched.start(ctx)
}

func (r *Runner) startWorkers(ctx context.Context) (context.Context, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return nil, errors.New("jobs: runner started twice")
	}
	r.started = true
	ctx, r.cancel = context.WithCancel(ctx)
	for _, w := range r.workers {
		r.wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					r.log.Error("background worker panicked", "worker", w.name, "panic", fmt.Sprint(p))
				}
			}()
			r.log.Info("background worker started", "worker", w.name)
			w.run(ctx, w.wake)
			r.log.Info("background worker stopped", "worker", w.name)
		})
	}
	return ctx, nil
}

// Wake tells a worker that work was queued; it never blocks.
func (r *Runner) Wake(name string) {
	r.mu.Lock()
	w := r.workers[name]
	r.mu.Unlock()
	if w == nil {
		return
	}
	select {
	case w.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Stop ends every worker's context and waits for them to return, until
// ctx ends; it then reports the workers still running. Work stopped half
// way records itself as interrupted.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	cancel := r.cancel
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	// No new triggers first; then the workers stop claiming, finish or
	// release what they hold, and return.
	if err := r.sched.stop(); err != nil {
		r.log.Warn("stopping the scheduler", "err", err)
	}
	cancel()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("jobs: workers still running after stop (%s): %w", r.names(), ctx.Err())
	}
}

func (r *Runner) names() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for n := range r.workers {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// idle waits for a wake-up, the poll interval or the end of ctx; it tells
// whether to go on.
func (r *Runner) idle(ctx context.Context, wake <-chan struct{}) bool {
	t := time.NewTimer(r.cfg.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-t.C:
	}
	return true
}
