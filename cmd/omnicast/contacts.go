package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"omnicast/models"
)

// contactJSON is one line of `contacts list --json`.
type contactJSON struct {
	ExternalID        string     `json:"external_id"`
	Name              string     `json:"name"`
	Subscribed        bool       `json:"subscribed"`
	SubscribedAt      *time.Time `json:"subscribed_at"`
	LastInteractionAt *time.Time `json:"last_interaction_at"`
	Tags              []string   `json:"tags"`
	Phone             string     `json:"phone"`
}

func runContactsList(_ context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "contacts list", "contacts list --channel ID --json [flags]")
	cfg := bindConfig(fs, env.getenv)
	channelID := fs.Uint("channel", 0, "channel id (required; see 'omnicast channel list')")
	asJSON := fs.Bool("json", false, "print one JSON object per contact")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *channelID == 0 {
		return errors.New("contacts list: --channel is required")
	}
	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	if _, err := models.FindChannel(db, *channelID); err != nil {
		return fmt.Errorf("contacts list: channel %d: %w", *channelID, describeFieldErrors(err))
	}
	enc := json.NewEncoder(env.stdout)
	var after uint64
	skipped := 0
	for {
		batch, err := models.ListContactsWithTags(db, *channelID, after, 1000)
		if err != nil {
			return err
		}
		for _, c := range batch.Contacts {
			if *asJSON {
				tags := c.Tags
				if tags == nil {
					tags = []string{}
				}
				if err := enc.Encode(contactJSON{c.ExternalID, c.Name, c.Subscribed, c.SubscribedAt, c.LastInteractionAt, tags, c.Phone}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(env.stdout, "%s\t%s\tsubscribed=%v\n", c.ExternalID, c.Name, c.Subscribed)
			}
		}
		skipped += batch.Skipped
		if batch.Next == 0 {
			break
		}
		after = batch.Next
	}
	// Rows that cannot be read back are logged one by one; the count goes
	// to stderr so that stdout stays one contact per line.
	switch {
	case skipped == 1:
		fmt.Fprintln(env.stderr, "contacts list: 1 contact could not be read and is not listed; it is logged with its contact id")
	case skipped > 1:
		fmt.Fprintf(env.stderr, "contacts list: %d contacts could not be read and are not listed; each is logged with its contact id\n", skipped)
	}
	return nil
}
