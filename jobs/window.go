package jobs

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// window lets at most n requests depart in any sliding second, spaced
// out. The token bucket spaces requests evenly, but goroutines that wake
// late (a busy machine, a GC pause, a dispatch mark that several
// requests waited for together) depart together, and a second that
// follows a short stall could then hold more than the bucket's rate. The
// window counts actual departures, so a stall is never made up for; its
// pacer spreads a group that comes at once over a few milliseconds each,
// because requests written together reach the platform less evenly than
// they left (they queue behind one another on its side), and the
// platform counts arrivals.
type window struct {
	pace  *rate.Limiter
	mu    sync.Mutex
	n     int
	times []time.Time // ring of the last n departures
	next  int         // oldest entry once the ring is full
}

func newWindow(perSecond float64) *window {
	w := &window{pace: rate.NewLimiter(rate.Limit(perSecond), paceBurst(perSecond))}
	w.resize(perSecond)
	return w
}

// paceBurst lets 5 ms of requests depart at once, at least one.
func paceBurst(perSecond float64) int { return max(int(perSecond/200), 1) }

// resize sets the window to perSecond requests, keeping the most recent
// departures.
func (w *window) resize(perSecond float64) {
	n := max(int(perSecond), 1)
	w.pace.SetLimit(rate.Limit(perSecond))
	w.pace.SetBurst(paceBurst(perSecond))
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
	if err := w.pace.Wait(ctx); err != nil {
		return err
	}
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
