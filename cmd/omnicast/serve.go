package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"omnicast/jobs"
	"omnicast/models"
	"omnicast/web"
)

func runServe(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "serve", "serve [flags]")
	cfg := bindConfig(fs, env.getenv)
	leaseDefault := env.getenv("OMNICAST_CLAIM_LEASE")
	if leaseDefault == "" {
		leaseDefault = defaultClaimLease.String()
	}
	leaseFlag := fs.String("claim-lease", leaseDefault, "how long a worker holds the deliveries it claimed; after a crash they are taken over once it expires "+
		"(LINE retried under its retry key, the others marked uncertain); must exceed the slowest request (env OMNICAST_CLAIM_LEASE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lease, err := time.ParseDuration(*leaseFlag)
	if err != nil || lease < time.Second {
		return fmt.Errorf("OMNICAST_CLAIM_LEASE: %q is not a duration of at least 1s such as 2m", *leaseFlag)
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, nil))
	// models logs what it must report from deep inside a read (a contact
	// row that cannot be read back) through slog's default logger.
	slog.SetDefault(log)
	if cfg.DatabaseURL == "" {
		// One process per SQLite data dir: a second one would claim and
		// send the same deliveries.
		lock, err := lockDataDir(cfg.DataDir, "serve")
		if err != nil {
			return err
		}
		defer lock.release()
	}
	ws, err := cfg.openWorkspace()
	if err != nil {
		return err
	}
	defer ws.close()
	if err := checkCredentials(ws); err != nil {
		return err
	}
	runner, err := newRunner(cfg, ws, log, lease)
	if err != nil {
		return err
	}
	// The set-up page may ask for the demo workspace; the runner fills it
	// and runs its simulator until the stop.
	demo, err := jobs.AddDemoJob(runner, jobs.DemoOptions{Seed: 2026, Logger: log}, 0.5)
	if err != nil {
		return err
	}
	if err := startRunner(ctx, runner); err != nil {
		return err
	}
	defer stopJobs(log, runner)
	webCfg, err := cfg.webConfig(ws, log)
	if err != nil {
		return err
	}
	reads, err := models.OpenReadPool(models.DBConfig{URL: cfg.DatabaseURL, DataDir: cfg.DataDir}, ws.db)
	if err != nil {
		return err
	}
	if reads != ws.db {
		defer func() { _ = models.Close(reads) }()
	}
	webCfg.ReadDB = reads
	webCfg.Jobs = runner
	webCfg.Demo = demo
	srv, err := web.New(webCfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return serveListener(ctx, log, ln, srv.Handler())
}

// defaultClaimLease is the dispatcher's lease on claimed deliveries.
const defaultClaimLease = 2 * time.Minute

// jobsStopTimeout bounds the wait for background work at shutdown: a
// running import stops after its current batch and records itself as
// interrupted.
const jobsStopTimeout = 10 * time.Second

func stopJobs(log *slog.Logger, runner *jobs.Runner) {
	ctx, cancel := context.WithTimeout(context.Background(), jobsStopTimeout)
	defer cancel()
	if err := runner.Stop(ctx); err != nil {
		log.Error("background work did not stop in time", "err", err)
		return
	}
	log.Info("background work stopped")
}

// serveListener serves until ctx ends (SIGTERM/SIGINT), then drains
// in-flight requests for up to 15 seconds.
func serveListener(ctx context.Context, log *slog.Logger, ln net.Listener, h http.Handler) error {
	addr := ln.Addr().String()
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("omnicast serving", "addr", addr, "version", version)
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// webConfig is what the web server needs from the configuration.
func (c *config) webConfig(ws *workspace, log *slog.Logger) (web.Config, error) {
	proxies, err := c.trustedProxies()
	if err != nil {
		return web.Config{}, err
	}
	return web.Config{
		DB: ws.db, SecretKey: ws.secret, PublicURL: c.PublicURL, Timezone: c.Timezone,
		Logger: log, Version: version, TrustedProxies: proxies, MetricsToken: c.MetricsToken,
		MediaDir: filepath.Join(c.DataDir, "media"),
	}, nil
}
