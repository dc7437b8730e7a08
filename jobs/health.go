package jobs

import "time"

// DatabaseWait tells whether this instance's sending is waiting for the
// database (it is unreachable or failing), and since when: pages show it
// on sending broadcasts while it lasts. Sending resumes by itself once
// the database answers again.
func (r *Runner) DatabaseWait() (since time.Time, waiting bool) {
	if r == nil || r.dispatch == nil {
		return time.Time{}, false
	}
	n := r.dispatch.dbDown.Load()
	if n == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}

// dbFailed notes that sending waits for the database (from the first
// failure of a spell).
func (d *dispatcher) dbFailed() {
	d.dbDown.CompareAndSwap(0, time.Now().UnixNano())
}

// dbAnswered notes that the database answers again.
func (d *dispatcher) dbAnswered() {
	if d.dbDown.Load() != 0 {
		d.dbDown.Store(0)
	}
}
