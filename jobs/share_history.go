package jobs

import (
	"sync"
	"time"
)

// shareHold is how long a share stays small after an instance stopped
// being counted: its requests of the last second still count at the
// platform, so the others grow into its part only when they have aged
// out of every sliding second.
const shareHold = time.Second + shareRenew

// liveHistory remembers how many instances shared a lane lately. A
// newcomer shrinks the share at once; a leaver (stopped, or a renewal
// late enough to lapse) grows it only after shareHold.
type liveHistory struct {
	mu   sync.Mutex
	seen []liveSeen
}

type liveSeen struct {
	at   time.Time
	live int
}

// count records live at now and returns the number to divide by: the
// most seen within the last shareHold.
func (h *liveHistory) count(now time.Time, live int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	keep := h.seen[:0]
	for _, s := range h.seen {
		if now.Sub(s.at) < shareHold {
			keep = append(keep, s)
		}
	}
	h.seen = append(keep, liveSeen{at: now, live: live})
	most := 1
	for _, s := range h.seen {
		most = max(most, s.live)
	}
	return most
}
