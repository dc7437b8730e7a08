package jobs

import (
	"context"
	"errors"
	"sync"
	"time"

	"omnicast/models"
)

// markLinger is how long the marker gathers requests before one UPDATE
// marks them dispatched: a send waits at most this (plus the write),
// and a crash can leave at most this much of the rate uncertain beyond
// the requests actually in flight.
const markLinger = 2 * time.Millisecond

// errNotMarked: the row's claim was lost before its request was marked
// (its lease expired and another worker took it over); it is not sent.
var errNotMarked = errors.New("jobs: delivery no longer held by this claim")

// dispatchMarks marks, a few at a time, the deliveries whose request is
// about to be written on a channel without idempotency keys (Messenger,
// WhatsApp), so that after a crash only those can become uncertain.
type dispatchMarks struct {
	d    *dispatcher
	mu   sync.Mutex
	reqs []markReq
	kick chan struct{}
}

type markReq struct {
	claim string
	id    uint64
	done  chan error
}

func newDispatchMarks(d *dispatcher) *dispatchMarks {
	return &dispatchMarks{d: d, kick: make(chan struct{}, 1)}
}

// mark waits until delivery id of claim is marked dispatched.
func (m *dispatchMarks) mark(ctx context.Context, claim string, id uint64) error {
	r := markReq{claim: claim, id: id, done: make(chan error, 1)}
	m.mu.Lock()
	m.reqs = append(m.reqs, r)
	m.mu.Unlock()
	select {
	case m.kick <- struct{}{}:
	default:
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run writes the marks until ctx ends.
func (m *dispatchMarks) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			m.fail(ctx.Err())
			return
		case <-m.kick:
		}
		sleep(ctx, markLinger)
		m.flush()
	}
}

// flush marks every gathered request in one statement.
func (m *dispatchMarks) flush() {
	m.mu.Lock()
	reqs := m.reqs
	m.reqs = nil
	m.mu.Unlock()
	if len(reqs) == 0 {
		return
	}
	claims := map[string]bool{}
	var claimIDs []string
	ids := make([]uint64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.id
		if !claims[r.claim] {
			claims[r.claim] = true
			claimIDs = append(claimIDs, r.claim)
		}
	}
	marked, err := models.MarkDispatched(m.d.r.cfg.DB, claimIDs, ids, m.d.r.cfg.Now())
	ok := make(map[uint64]bool, len(marked))
	for _, id := range marked {
		ok[id] = true
	}
	for _, r := range reqs {
		switch {
		case err != nil:
			r.done <- err
		case ok[r.id]:
			r.done <- nil
		default:
			r.done <- errNotMarked
		}
	}
}

// fail answers every waiting request with err (the stop).
func (m *dispatchMarks) fail(err error) {
	m.mu.Lock()
	reqs := m.reqs
	m.reqs = nil
	m.mu.Unlock()
	for _, r := range reqs {
		r.done <- err
	}
}
