package jobs

import (
	"testing"
	"time"
)

// A newcomer halves the share at once; a leaver's part is taken over
// only once its last requests have aged out of every sliding second.
func TestShareGrowsOnlyAfterTheLeaversSecond(t *testing.T) {
	var h liveHistory
	t0 := time.Now()
	steps := []struct {
		after time.Duration
		live  int
		want  int
	}{
		{0, 1, 1},
		{250 * time.Millisecond, 2, 2}, // a newcomer: at once
		{500 * time.Millisecond, 1, 2}, // it left: hold
		{time.Second, 1, 2},
		{1400 * time.Millisecond, 1, 2}, // 1.15 s since it was last counted
		{1800 * time.Millisecond, 1, 1}, // over 1.25 s: grow
	}
	for _, s := range steps {
		if got := h.count(t0.Add(s.after), s.live); got != s.want {
			t.Fatalf("at +%s with %d live: divide by %d, want %d", s.after, s.live, got, s.want)
		}
	}
}
