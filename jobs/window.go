package jobs

import (
	"context"
	"sync"
	"time"
)

// window lets at most n requests depart in any sliding second. The token
// bucket spaces requests evenly, but goroutines that wake late (a busy
// machine, a GC pause) depart together, and a second that follows a
// short stall could then hold more than the bucket's rate. The window
// counts actual departures, so a stall is never made up for.
type window struct {
	mu    sync.Mutex
	n     int
	times []time.Time // ring of the last n departures
	next  int         // oldest entry once the ring is full
}

func newWindow(perSecond float64) *window {
	w := &window{}
	w.resize(perSecond)
	return w
}

// resize sets the window to perSecond requests, keeping the most recent
// departures.
func (w *window) resize(perSecond float64) {
	n := max(int(perSecond), 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if n == w.n {
		return
	}
	ordered := append(append([]time.Time(nil), w.times[w.next:]...), w.times[:w.next]...)
	if len(ordered) > n {
		ordered = ordered[len(ordered)-n:]
	}
	w.n, w.times, w.next = n, ordered, 0
}

// wait blocks until a departure keeps the last second at most n, and
// records it.
func (w *window) wait(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := time.Now()
		if len(w.times) < w.n {
			w.times = append(w.times, now)
			w.mu.Unlock()
			return nil
		}
		oldest := w.times[w.next]
		if d := oldest.Add(time.Second).Sub(now); d > 0 {
			w.mu.Unlock()
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		}
		w.times[w.next] = now
		w.next = (w.next + 1) % w.n
		w.mu.Unlock()
		return nil
	}
}
