package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"omnicast/models"
)

// runContactsExport writes a channel's contacts matching a filter as CSV:
//
//	omnicast contacts export --channel ID [--filter QUERYSTRING] [--output FILE]
//
// The file has the import columns (so it can be imported again), UTF-8 with
// a BOM so that Excel shows Chinese names correctly.
func runContactsExport(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "contacts export", "contacts export --channel ID [--filter QUERYSTRING] [--output FILE]\n\n"+
		"QUERYSTRING is the contact filter as in the contacts page address, for example\n"+
		"  'status=subscribed&tags_any=VIP,台北&interacted_within=30d'\n"+
		"Without status= every contact is exported, subscribed or not.")
	cfg := bindConfig(fs, env.getenv)
	channelID := fs.Uint("channel", 0, "channel id (required; see 'omnicast channel list')")
	filter := fs.String("filter", "", "contact filter in query-string form (the channel comes from --channel)")
	output := fs.String("output", "", "write to this file instead of stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *channelID == 0 {
		return errors.New("contacts export: --channel is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("contacts export: unexpected argument %q", fs.Arg(0))
	}
	values, err := url.ParseQuery(strings.TrimPrefix(*filter, "?"))
	if err != nil {
		return fmt.Errorf("contacts export: --filter is not a query string: %v", err)
	}
	values.Set("channel", strconv.FormatUint(uint64(*channelID), 10))
	if values.Get("status") == "" {
		values.Set("status", models.StatusAll)
	}

	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	if _, err := models.FindChannel(db, *channelID); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("contacts export: no channel %d (see 'omnicast channel list')", *channelID)
		}
		return err
	}
	ws, err := models.LoadWorkspace(db, models.Workspace{Timezone: cfg.Timezone})
	if err != nil {
		return err
	}
	f, ferrs := models.ParseContactFilter(values, ws.Location())
	if ferrs != nil {
		return fmt.Errorf("contacts export: --filter: %s", filterErrorsText(ferrs))
	}

	var out io.Writer = env.stdout
	var file *os.File
	if *output != "" {
		file, err = os.Create(*output)
		if err != nil {
			return fmt.Errorf("contacts export: %w", err)
		}
		out = file
	}
	w := bufio.NewWriterSize(out, 64<<10)
	n, err := models.ExportContacts(ctx, db, f, w, ws.Location(), time.Now())
	if err == nil {
		err = w.Flush()
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(*output)
		}
	}
	if err != nil {
		return fmt.Errorf("contacts export: %w", err)
	}
	fmt.Fprintf(env.stderr, "%d contacts exported\n", n)
	return nil
}

// filterErrorsText says in English what is wrong with a filter.
func filterErrorsText(fe models.FieldErrors) string {
	texts := map[error]string{
		models.ErrFilterChannel: "choose a channel",
		models.ErrFilterDate:    "enter a date as YYYY-MM-DD or an RFC 3339 time",
		models.ErrFilterRange:   "the end must come after the start",
		models.ErrFilterWithin:  "enter a span such as 24h, 7d or 2w",
		models.ErrFilterStatus:  "status is subscribed, unsubscribed or all",
		models.ErrFilterSort:    "sort is interaction or subscription",
		models.ErrFilterTags:    "tag names are 1–100 characters, separated by commas (at most 50)",
	}
	var parts []string
	for field, err := range fe {
		text := err.Error()
		for k, v := range texts {
			if errors.Is(err, k) {
				text = v
			}
		}
		parts = append(parts, field+": "+text)
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
