package web

import (
	"context"
	"sync"
)

// demoProgress tracks the demo workspace being filled in the background.
type demoProgress struct {
	mu      sync.Mutex
	running bool
	done    int
	total   int
	failed  bool
}

func (d *demoProgress) snapshot() (running bool, done, total int, failed bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.running, d.done, d.total, d.failed
}

func (d *demoProgress) set(done, total int) {
	d.mu.Lock()
	d.done, d.total = done, total
	d.mu.Unlock()
}

// launchDemo fills the workspace with demo data in the background, so the
// set-up form answers at once; pages show the progress meanwhile.
func (s *Server) launchDemo(webhookBase string) {
	s.demo.mu.Lock()
	if s.demo.running || s.startDemo == nil {
		s.demo.mu.Unlock()
		return
	}
	s.demo.running = true
	s.demo.mu.Unlock()
	go func() {
		err := s.startDemo(context.Background(), webhookBase, s.demo.set)
		s.demo.mu.Lock()
		s.demo.running, s.demo.failed = false, err != nil
		s.demo.mu.Unlock()
		if err != nil {
			s.log.Error("demo workspace failed", "err", err)
			return
		}
		s.log.Info("demo workspace ready")
	}()
}
