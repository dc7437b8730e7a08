package main

import (
	"context"
	"fmt"
	"strconv"

	"omnicast/models"
)

func runChannelAdd(_ context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "channel add", "channel add --kind messenger|line|whatsapp|instagram --name N --external-id ID --secret S --token T [--waba-id W] [--verify-token V] [--api-base URL] [--rate R] [flags]")
	cfg := bindConfig(fs, env.getenv)
	var in models.ChannelInput
	fs.StringVar(&in.Kind, "kind", "", "messenger, line, whatsapp or instagram (required)")
	fs.StringVar(&in.Name, "name", "", "display name (required)")
	fs.StringVar(&in.ExternalID, "external-id", "", "Page ID, LINE channel ID, WhatsApp phone number ID or Instagram account ID (required)")
	fs.StringVar(&in.Secret, "secret", "", "Meta app secret or LINE channel secret (required)")
	fs.StringVar(&in.Token, "token", "", "access token (required)")
	fs.StringVar(&in.WABAID, "waba-id", "", "WhatsApp Business Account ID (WhatsApp only)")
	fs.StringVar(&in.VerifyToken, "verify-token", "", "webhook verify token (Meta kinds; generated when empty)")
	fs.StringVar(&in.APIBaseURL, "api-base", "", "API base URL (default: the platform's official host)")
	fs.Float64Var(&in.RateLimit, "rate", 0, "send rate limit in messages per second (default per kind)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ws, err := cfg.openWorkspace()
	if err != nil {
		return err
	}
	defer ws.close()
	ch, err := models.CreateChannel(ws.db, ws.sealer, in)
	if err != nil {
		return fmt.Errorf("channel add: %w", describeFieldErrors(err))
	}
	fmt.Fprintln(env.stdout, ch.ID)
	return nil
}

func runChannelList(_ context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "channel list", "channel list [flags]")
	cfg := bindConfig(fs, env.getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	list, err := models.ListChannels(db)
	if err != nil {
		return err
	}
	rows := [][]string{{"ID", "KIND", "NAME", "EXTERNAL ID", "RATE/S", "WEBHOOK PATH"}}
	for _, ch := range list {
		id := strconv.FormatUint(uint64(ch.ID), 10)
		rows = append(rows, []string{id, ch.Kind, ch.Name, ch.ExternalID,
			strconv.FormatFloat(ch.RateLimit, 'f', -1, 64), "/webhooks/" + ch.Kind + "/" + id})
	}
	return writeTable(env.stdout, rows)
}
