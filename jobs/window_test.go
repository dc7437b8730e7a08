package jobs

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestWindowHoldsEverySlidingSecond: requests that all arrive at once,
// as goroutines woken late do, depart at most n in any sliding second,
// and the window still lets n through per second.
func TestWindowHoldsEverySlidingSecond(t *testing.T) {
	const n = 40
	w := newWindow(n)
	var mu sync.Mutex
	var departed []time.Time
	var wg sync.WaitGroup
	start := time.Now()
	for range 2*n + 5 {
		wg.Go(func() {
			if err := w.wait(context.Background()); err != nil {
				t.Error(err)
			}
			mu.Lock()
			departed = append(departed, time.Now())
			mu.Unlock()
		})
	}
	wg.Wait()
	if el := time.Since(start); el < 2*time.Second || el > 3*time.Second {
		t.Fatalf("%d requests at %d/s took %s, want 2–3 s", 2*n+5, n, el)
	}
	for i := range departed {
		in := 0
		for _, d := range departed {
			if !d.Before(departed[i]) && d.Sub(departed[i]) < time.Second {
				in++
			}
		}
		if in > n {
			t.Fatalf("%d departures in the second from %s", in, departed[i].Sub(start))
		}
	}
}

// TestWindowResizeKeepsRecentDepartures: a smaller share counts the
// departures already made.
func TestWindowResizeKeepsRecentDepartures(t *testing.T) {
	w := newWindow(10)
	for range 10 {
		if err := w.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	w.resize(5)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := w.wait(ctx); err == nil {
		t.Fatal("after shrinking to 5 with 10 departures this second, a request departed at once")
	}
	w.resize(20)
	if err := w.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestWindowSpacesAGroup: requests that reach the window together (a
// dispatch mark released them at once) leave spaced out, 5 ms of them
// at a time, not as one burst that would reach the platform bunched.
func TestWindowSpacesAGroup(t *testing.T) {
	const perSecond = 1000
	w := newWindow(perSecond)
	var mu sync.Mutex
	var departed []time.Time
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if err := w.wait(context.Background()); err != nil {
				t.Error(err)
			}
			mu.Lock()
			departed = append(departed, time.Now())
			mu.Unlock()
		})
	}
	wg.Wait()
	for i := range departed {
		in := 0
		for _, d := range departed {
			if !d.Before(departed[i]) && d.Sub(departed[i]) < 10*time.Millisecond {
				in++
			}
		}
		// 10 ms at 1,000/s is 10 requests, plus the 5 ms burst.
		if in > 16 {
			t.Fatalf("%d requests left within 10 ms of one another", in)
		}
	}
}
