package main

import (
	"context"
	"log/slog"

	"omnicast/jobs"
)

// startJobs starts the background work of a process that serves the web
// app (serve, demo): imports, the freeze, the scheduler and the
// dispatcher. It keeps running past ctx's end, until stopJobs, so that
// the HTTP server drains first.
func startJobs(ctx context.Context, cfg *config, ws *workspace, log *slog.Logger) (*jobs.Runner, error) {
	late, err := cfg.maxLateness()
	if err != nil {
		return nil, err
	}
	runner, err := jobs.New(jobs.Config{DB: ws.db, Logger: log, Sealer: ws.sealer, PublicURL: cfg.PublicURL, MaxLateness: late})
	if err != nil {
		return nil, err
	}
	if err := runner.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return runner, nil
}
