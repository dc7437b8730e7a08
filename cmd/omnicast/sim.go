package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"omnicast/channels/sim"
	"omnicast/models"
)

// runSim serves the platform simulator for the channels already in the
// database, with simulated people who follow and message them.
func runSim(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "sim", "sim [--sim-addr A] [--webhook-base URL] [--people N] [--activity R] [--point-channels] [flags]")
	cfg := bindConfig(fs, env.getenv)
	simAddr := fs.String("sim-addr", "127.0.0.1:9900", "address the simulator listens on")
	webhookBase := fs.String("webhook-base", "http://127.0.0.1:8080", "omnicast's address, where the simulator sends webhooks")
	people := fs.Int("people", 50, "simulated people per account")
	rate := fs.Float64("activity", 1, "simulated follows and messages per second")
	point := fs.Bool("point-channels", false, "set every channel's API base URL to this simulator")
	latency := fs.Duration("latency", 0, "added latency per API call")
	errRate := fs.Float64("error-rate", 0, "share of send requests answered with a 5xx (0..1)")
	timeoutRate := fs.Float64("timeout-rate", 0, "share of send requests that stall after being accepted (0..1)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, nil))
	ws, err := cfg.openWorkspace()
	if err != nil {
		return err
	}
	defer ws.close()
	list, err := models.ListChannels(ws.db)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errors.New("sim: no channels yet; add some with 'omnicast channel add' or the Channels page")
	}
	s := sim.New(sim.Config{Latency: *latency, ServerErrorRate: *errRate, TimeoutRate: *timeoutRate, Seed: time.Now().UnixNano(), Logger: log})
	simURL := "http://" + *simAddr
	for i, ch := range list {
		secrets, err := ch.Secrets(ws.sealer)
		if err != nil {
			return err
		}
		s.AddAccount(sim.Account{
			Kind: ch.Kind, ExternalID: ch.ExternalID, WABAID: ch.WABAID, DisplayName: ch.Name,
			AccessToken: secrets.AccessToken, Secret: secrets.Secret, RatePerSecond: ch.RateLimit,
			WebhookURL: fmt.Sprintf("%s/webhooks/%s/%d", *webhookBase, ch.Kind, ch.ID),
		})
		for _, p := range sim.RandomPeople(*people, int64(i)+1, ch.Kind) {
			s.AddPerson(ch.ExternalID, p)
		}
		if *point {
			if err := ws.db.Model(&models.Channel{}).Where("id = ?", ch.ID).Update("api_base_url", simURL).Error; err != nil {
				return fmt.Errorf("sim: point channel %d: %w", ch.ID, err)
			}
		}
	}
	ln, err := net.Listen("tcp", *simAddr)
	if err != nil {
		return fmt.Errorf("sim: listen on %s: %w", *simAddr, err)
	}
	fmt.Fprintf(env.stdout, "simulator for %d channels at %s, sending webhooks to %s\n", len(list), simURL, *webhookBase)
	go simulate(ctx, log, s, *rate)
	defer s.Close()
	return serveListener(ctx, log, ln, http.Handler(s.Handler()))
}
