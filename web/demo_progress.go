package web

import (
	"omnicast/jobs"
)

// demoProgress is the set-up page's view of the demo job, which the
// runner's demo worker runs: web only asks for it and reads its status.
type demoProgress struct {
	job *jobs.DemoJob
}

// available tells whether the set-up page may offer the demo.
func (d demoProgress) available() bool { return d.job != nil }

func (d demoProgress) snapshot() (running bool, done, total int, failed bool) {
	if d.job == nil {
		return false, 0, 0, false
	}
	st := d.job.Status()
	return st.Running, st.Done, st.Total, st.Failed
}

// launchDemo asks the runner to fill the workspace with demo data, so the
// set-up form answers at once; pages show the progress meanwhile.
func (s *Server) launchDemo(webhookBase string) {
	if s.demo.job == nil {
		return
	}
	if !s.demo.job.Request(webhookBase) {
		s.log.Info("demo workspace already requested")
	}
}
