package main

import (
	"context"
	"log/slog"
	"time"

	"omnicast/jobs"
)

// newRunner builds the background work of a process that serves the web
// app (serve, demo): imports, the freeze, the scheduler and the
// dispatcher, holding claims for lease. It is started by startRunner.
func newRunner(cfg *config, ws *workspace, log *slog.Logger, lease time.Duration) (*jobs.Runner, error) {
	late, err := cfg.maxLateness()
	if err != nil {
		return nil, err
	}
	return jobs.New(jobs.Config{DB: ws.db, Logger: log, Sealer: ws.sealer, PublicURL: cfg.PublicURL, MaxLateness: late,
		Dispatch: jobs.DispatchConfig{Lease: lease}})
}

// startRunner starts it so that it keeps running past ctx's end, until
// stopJobs: the HTTP server drains first, then the background work
// stops within a bound, before the database closes.
func startRunner(ctx context.Context, runner *jobs.Runner) error {
	return runner.Start(context.WithoutCancel(ctx))
}
