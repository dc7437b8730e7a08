package jobs

import (
	"sync"

	"omnicast/channels"
)

// BreakerConfig sets when a channel's circuit breaker trips.
type BreakerConfig struct {
	// Consecutive failures (permanent, uncertain or retryable answers in a
	// row) that trip it (default 50).
	Consecutive int
	// Window is the number of recent answers the failure rate is taken
	// over (default 200); Rate the share of failures and blocks in it
	// that trips the breaker (default 0.5).
	Window int
	Rate   float64
}

func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.Consecutive <= 0 {
		c.Consecutive = 50
	}
	if c.Window <= 0 {
		c.Window = 200
	}
	if c.Rate <= 0 || c.Rate > 1 {
		c.Rate = 0.5
	}
	return c
}

// Pause reasons the dispatcher stores (broadcasts.pause_reason), worded
// for staff by the catalogue as dispatch.pause.<code>.
const (
	PauseConsecutive = "consecutive_failures"
	PauseFailureRate = "failure_rate"
)

// breaker watches one channel's answers in this process. It trips at
// once on an answer that says nothing more will go out (a token error,
// abuse, a restricted Page, the WhatsApp spam limit, LINE's spent quota),
// after Consecutive failures in a row, or when failures and blocks pass
// Rate of the last Window answers.
type breaker struct {
	cfg BreakerConfig

	mu      sync.Mutex
	consec  int
	ring    []bool // true: a failure
	next    int
	full    bool
	fails   int
	tripped string
}

func newBreaker(cfg BreakerConfig) *breaker {
	return &breaker{cfg: cfg, ring: make([]bool, cfg.Window)}
}

// breakerReason is the pause reason of an answer that trips at once.
func breakerReason(r channels.SendResult) string {
	if r.Reason != "" {
		return r.Reason
	}
	return channels.ReasonUnknown
}

func (b *breaker) observe(r channels.SendResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch r.Outcome {
	case channels.Sent:
		b.consec = 0
		b.push(false)
		return
	case channels.Retryable:
		b.consec++
	default:
		b.consec++
		b.push(true)
	}
	if b.consec >= b.cfg.Consecutive {
		b.setTrip(PauseConsecutive)
	}
	if b.full && float64(b.fails) > b.cfg.Rate*float64(len(b.ring)) {
		b.setTrip(PauseFailureRate)
	}
}

func (b *breaker) push(fail bool) {
	if b.full && b.ring[b.next] {
		b.fails--
	}
	b.ring[b.next] = fail
	if fail {
		b.fails++
	}
	b.next++
	if b.next == len(b.ring) {
		b.next, b.full = 0, true
	}
}

func (b *breaker) trip(reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.setTrip(reason)
}

func (b *breaker) setTrip(reason string) {
	if b.tripped == "" {
		b.tripped = reason
	}
}

// take returns the trip, if any, and starts counting afresh (the resume
// is staff's; the next run starts clean).
func (b *breaker) take() (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	reason := b.tripped
	if reason == "" {
		return "", false
	}
	b.tripped, b.consec, b.next, b.full, b.fails = "", 0, 0, false, 0
	clear(b.ring)
	return reason, true
}
