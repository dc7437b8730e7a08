package sim

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeoutDelay = 35 * time.Second
	DefaultReceiptDelay = time.Second
)

// Config tunes a Sim. The zero value is a fault-free simulator.
type Config struct {
	// Latency is added before answering every API request.
	Latency time.Duration
	// ServerErrorRate is the share (0..1) of send requests answered with a
	// 5xx in the platform's format; such messages are not recorded.
	ServerErrorRate float64
	// TimeoutRate is the share (0..1) of send requests whose message is
	// recorded as sent but whose answer stalls for TimeoutDelay, so the
	// client times out on a message that in fact went out.
	TimeoutRate float64
	// TimeoutDelay is how long a "timeout" fault stalls before answering
	// (default 35s). The stall also ends when the client goes away or the
	// Sim is closed.
	TimeoutDelay time.Duration
	// Seed seeds the random choices (faults, ids, Simulate).
	Seed int64
	// Now is the clock used for the 24-hour windows, quotas and webhook
	// timestamps (default time.Now). Rate limits use the real clock.
	Now func() time.Time
	// ReceiptDelay is the delay before each delivery / read webhook after
	// a send (default 1s); negative disables receipts.
	ReceiptDelay time.Duration
	// HTTPClient makes the webhook calls (default: 10s timeout).
	HTTPClient *http.Client
	// Logger receives request and webhook logs (default: discarded).
	Logger *slog.Logger
}

// Sim is the simulator. Create it with New; it is safe for concurrent use.
type Sim struct {
	cfg Config
	log *slog.Logger

	rngMu sync.Mutex
	rng   *rand.Rand

	mu       sync.Mutex
	accounts map[string]*account   // by ExternalID
	tokens   map[string][]*account // by access token
	wabas    map[string]*waba      // by WABA id
	people   map[string]*roster    // by account ExternalID
	sent     []sentRec
	injected map[string]*injection // by account ExternalID (Inject)

	ctx    context.Context // ended by Close
	cancel context.CancelFunc
	async  tracker
	hooks  chan struct{} // bounds concurrent webhook calls

	srvMu sync.Mutex
	srv   *http.Server
}

// New returns a Sim for cfg with defaults applied to zero fields.
func New(cfg Config) *Sim {
	if cfg.TimeoutDelay <= 0 {
		cfg.TimeoutDelay = DefaultTimeoutDelay
	}
	if cfg.ReceiptDelay == 0 {
		cfg.ReceiptDelay = DefaultReceiptDelay
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	seed := uint64(cfg.Seed)
	return &Sim{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "sim"),
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		accounts: map[string]*account{},
		tokens:   map[string][]*account{},
		wabas:    map[string]*waba{},
		people:   map[string]*roster{},
		ctx:      ctx,
		cancel:   cancel,
		hooks:    make(chan struct{}, 32),
	}
}

// Start serves Handler on 127.0.0.1 on a free port and returns the base
// URL (http://127.0.0.1:port) to give omnicast's clients for every
// platform. Close stops it.
func (s *Sim) Start() (string, error) {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.srv != nil {
		return "", errors.New("sim: already started")
	}
	if s.ctx.Err() != nil {
		return "", errors.New("sim: closed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("sim: serve", "err", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the server started by Start, ends stalled requests and
// Simulate, cancels pending webhook calls and waits for them to finish.
func (s *Sim) Close() {
	s.cancel()
	s.srvMu.Lock()
	if s.srv != nil {
		_ = s.srv.Close()
	}
	s.srvMu.Unlock()
	s.async.wait()
}

// Wait blocks until every pending asynchronous webhook (receipts) has been
// delivered or abandoned.
func (s *Sim) Wait() { s.async.wait() }

// now is the simulator's clock.
func (s *Sim) now() time.Time { return s.cfg.Now() }

// chance reports true with probability p, from the seeded generator.
func (s *Sim) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64() < p
}

// randN returns a seeded random integer in [0, n).
func (s *Sim) randN(n int) int {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.IntN(n)
}

// randBytes fills b from the seeded generator.
func (s *Sim) randBytes(b []byte) {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	for i := range b {
		b[i] = byte(s.rng.Uint32())
	}
}

// sleep waits d or until ctx or the Sim ends; it reports whether the full
// delay elapsed.
func (s *Sim) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil && s.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.ctx.Done():
		return false
	}
}

// tracker counts pending asynchronous work; unlike sync.WaitGroup it may
// be added to while someone waits.
type tracker struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero; nil when n == 0
}

func (t *tracker) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		t.idle = make(chan struct{})
	}
	t.n++
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 {
		close(t.idle)
		t.idle = nil
	}
}

func (t *tracker) wait() {
	for {
		t.mu.Lock()
		ch := t.idle
		t.mu.Unlock()
		if ch == nil {
			return
		}
		<-ch
	}
}

// goAsync runs f in a tracked goroutine unless the Sim is closed.
func (s *Sim) goAsync(f func()) {
	if s.ctx.Err() != nil {
		return
	}
	s.async.add()
	go func() {
		defer s.async.done()
		f()
	}()
}
