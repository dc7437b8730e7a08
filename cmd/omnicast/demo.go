package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"omnicast/channels/sim"
	"omnicast/jobs"
	"omnicast/web"
)

// demoDataDir keeps the demo apart from a real workspace in ./data.
const demoDataDir = "./data-demo"

// runDemo serves omnicast with one account of each kind wired to an
// in-process simulator and a workspace full of simulated people.
func runDemo(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "demo", "demo [--people N] [flags]")
	cfg := bindConfigWithDataDir(fs, env.getenv, demoDataDir)
	people := fs.Int("people", 300, "simulated people per account")
	simAddr := fs.String("sim-addr", "127.0.0.1:8099", "address of the in-process platform simulator (empty: any free port)")
	rate := fs.Float64("activity", 0.5, "simulated follows and messages per second once seeded (0 = none)")
	if f := fs.Lookup("public-url"); f != nil {
		f.Usage += "; empty: the demo's own loopback http address, from which the simulator fetches images"
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, nil))
	slog.SetDefault(log) // as serve does: models logs through it
	if cfg.DatabaseURL == "" {
		// The demo sends too: one process per SQLite data dir, as serve.
		lock, err := lockDataDir(cfg.DataDir, "demo")
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
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if cfg.PublicURL == "" {
		// The simulator runs on this machine and fetches loopback http
		// (channels.ImageFetchProblem): uploaded pictures show in the demo
		// without TLS.
		cfg.PublicURL = "http://" + loopbackAddr(ln)
	}
	// The demo sends what staff compose, as serve does: without the
	// background work a confirmed broadcast would wait forever.
	runner, err := newRunner(cfg, ws, log, defaultClaimLease)
	if err == nil {
		err = startRunner(ctx, runner)
	}
	if err != nil {
		ln.Close()
		return err
	}
	defer stopJobs(log, runner)
	webCfg, err := cfg.webConfig(ws, log)
	if err != nil {
		ln.Close()
		return err
	}
	webCfg.Jobs = runner
	srv, err := web.New(webCfg)
	if err != nil {
		ln.Close()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- serveListener(ctx, log, ln, srv.Handler()) }()

	start := time.Now()
	d, err := jobs.StartDemo(ctx, ws.db, ws.sealer, jobs.DemoOptions{
		WebhookBase: "http://" + loopbackAddr(ln), PeoplePerChannel: *people, Seed: 2026, Logger: log, SimAddr: *simAddr,
	})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer d.Close()
	fmt.Fprintf(env.stdout, "omnicast demo ready in %s: http://%s (simulator at %s, data in %s)\n",
		time.Since(start).Round(time.Millisecond), loopbackAddr(ln), d.SimURL, cfg.DataDir)
	if *rate > 0 {
		go simulate(ctx, log, d.Sim, *rate)
	}
	return <-served
}

// loopbackAddr is the listener's address as a local client dials it.
func loopbackAddr(ln net.Listener) string {
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		return fmt.Sprintf("127.0.0.1:%d", tcp.Port)
	}
	return tcp.String()
}

// simulate keeps simulated people following and messaging until ctx ends.
func simulate(ctx context.Context, log *slog.Logger, s *sim.Sim, rate float64) {
	err := s.Simulate(ctx, sim.Activity{Rate: rate})
	if err != nil && ctx.Err() == nil {
		log.Warn("simulated activity stopped", "err", err)
	}
}
