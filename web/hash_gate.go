package web

import (
	"context"
	"time"
)

// hashGate bounds how many password hashes run at once. Each argon2id hash
// takes 19 MiB for a few tens of milliseconds; unbounded, a burst of
// sign-in attempts takes the process to gigabytes. Beyond the bound a
// request waits briefly for a slot, then is answered 429 at once.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
}

func newHashGate(size int, wait time.Duration) *hashGate {
	if size < 1 {
		size = 1
	}
	return &hashGate{slots: make(chan struct{}, size), wait: wait}
}

// acquire takes a slot, waiting at most the gate's wait; ok is false when
// none came free. Call release when the hashing is done.
func (g *hashGate) acquire(ctx context.Context) (release func(), ok bool) {
	select {
	case g.slots <- struct{}{}:
		return g.release, true
	default:
	}
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.release, true
	case <-timer.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}

func (g *hashGate) release() { <-g.slots }
