package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"omnicast/jobs"
	"omnicast/models"
)

// runContactsImport imports a contacts CSV file into a channel:
//
//	omnicast contacts import --channel ID FILE   (FILE "-" reads stdin)
//
// A file that cannot be imported at all is refused before anything is
// written. Rows that cannot be imported are skipped and listed by line; the
// command then exits non-zero so scripts notice. The import is recorded
// like one from the page, so it shows in the import history and can be
// undone there.
func runContactsImport(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "contacts import", "contacts import --channel ID [flags] FILE\n\n"+
		"FILE is a CSV file (\"-\" reads stdin) in UTF-8, Big5 or UTF-16, with a header row naming\n"+
		"the columns external_id (required), name, phone, subscribed (true/false), subscribed_at,\n"+
		"last_interaction_at (RFC 3339) and tags (separated by \";\"). Existing contacts are updated.")
	cfg := bindConfig(fs, env.getenv)
	channelID := fs.Uint("channel", 0, "channel id (required; see 'omnicast channel list')")
	batch := fs.Int("batch", 0, fmt.Sprintf("rows written per transaction (default %d on PostgreSQL, %d on SQLite)",
		models.DefaultImportBatch, models.DefaultSQLiteImportBatch))
	quiet := fs.Bool("quiet", false, "do not report progress on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *channelID == 0 {
		return errors.New("contacts import: --channel is required")
	}
	if fs.NArg() != 1 {
		return errors.New("contacts import: give exactly one FILE (or - for stdin)")
	}
	src, cleanup, err := openImportSource(env, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("contacts import: %w", err)
	}
	defer cleanup()
	file, err := models.OpenContactCSV(src)
	if err != nil {
		return fmt.Errorf("contacts import: %s", importFileText(err))
	}

	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	if _, err := models.FindChannel(db, *channelID); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("contacts import: no channel %d (see 'omnicast channel list')", *channelID)
		}
		return err
	}
	ws, err := models.LoadWorkspace(db, models.Workspace{Timezone: cfg.Timezone})
	if err != nil {
		return err
	}

	start := time.Now()
	worker := jobs.InstanceName("cli")
	name := fs.Arg(0)
	if name == "-" {
		name = "stdin"
	}
	imp, err := models.BeginContactImport(db, models.NewContactImport{
		ChannelID: *channelID, FileName: filepath.Base(name), File: file, Timezone: ws.Timezone, Now: start,
	}, worker)
	if err != nil {
		return err
	}
	last := start
	res, err := jobs.RunContactImport(ctx, db, imp, file, jobs.ImportRun{
		Worker: worker, BatchSize: *batch, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Progress: func(done, total int) {
			if !*quiet && time.Since(last) >= time.Second {
				last = time.Now()
				fmt.Fprintf(env.stderr, "%d of %d rows…\n", done, total)
			}
		},
	})
	took := time.Since(start)
	fmt.Fprintf(env.stdout, "%d rows read: %d created, %d updated, %d skipped (%s, %.0f rows/s)\n",
		res.Rows, res.Created, res.Updated, res.Bad, took.Round(time.Millisecond), float64(res.Rows)/max(took.Seconds(), 1e-9))
	for _, b := range res.BadRows {
		fmt.Fprintf(env.stdout, "line %d: %s\n", b.Line, importRowText(b))
	}
	if res.Bad > len(res.BadRows) {
		fmt.Fprintf(env.stdout, "… and %d more skipped rows\n", res.Bad-len(res.BadRows))
	}
	if err != nil {
		return fmt.Errorf("contacts import: stopped after %d rows: %w", res.Rows, err)
	}
	fmt.Fprintf(env.stdout, "import %d recorded; it can be undone from the import page\n", imp.ID)
	if res.Bad > 0 {
		return fmt.Errorf("contacts import: %d rows were skipped (listed above); fix them and import the file again", res.Bad)
	}
	return nil
}

// openImportSource opens FILE, or stdin for "-".
func openImportSource(env *runEnv, name string) (io.Reader, func(), error) {
	if name == "-" {
		return env.stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { _ = f.Close() }, nil
}

// importFileText says in English why a file was refused.
func importFileText(err error) string {
	texts := map[error]string{
		models.ErrImportEmpty:           "the file is empty: it needs a header row and at least one contact",
		models.ErrImportEncoding:        "the file is neither UTF-8, Big5 nor UTF-16 text; in Excel use Save As → \"CSV UTF-8 (Comma delimited)\"",
		models.ErrImportNoExternalID:    "the header row has no external_id column",
		models.ErrImportDuplicateColumn: "a column is named twice in the header row",
		models.ErrImportUnreadable:      "the header row is not valid CSV",
	}
	for k, v := range texts {
		if errors.Is(err, k) {
			return v
		}
	}
	return err.Error()
}

// importRowText says in English why a row was skipped.
func importRowText(b models.ImportRowError) string {
	texts := map[error]string{
		models.ErrImportRowColumns:        "the row does not have as many values as the header has columns",
		models.ErrImportRowQuotes:         "misplaced quote (\"); a value containing quotes must be quoted, with quotes doubled",
		models.ErrImportRowQuotesSpan:     fmt.Sprintf("a quote (\") opened here is not closed: lines %d to %d were read as one value", b.Line, b.EndLine),
		models.ErrImportRowNUL:            "the row contains a NUL character, a sign of a damaged file; it was not imported",
		models.ErrImportExternalIDMissing: "external_id is empty",
		models.ErrImportExternalIDTooLong: fmt.Sprintf("external_id is longer than %d characters", models.MaxExternalIDLen),
		models.ErrImportNameTooLong:       fmt.Sprintf("the name is longer than %d characters", models.MaxContactName),
		models.ErrImportPhoneTooLong:      fmt.Sprintf("the phone number is longer than %d characters", models.MaxPhoneLen),
		models.ErrImportBool:              "subscribed must be true or false",
		models.ErrImportTime:              "not a date and time; use RFC 3339, such as 2026-11-01T09:30:00+08:00",
		models.ErrImportTimeRange:         "the time is before 1970 or more than a day from now",
		models.ErrPhoneInvalid:            "not a valid phone number; write it as 0912 345 678, or with its country code as +886 912 345 678",
		models.ErrImportTag:               "tag names must be 1–100 characters without commas or semicolons",
		models.ErrImportDuplicate:         fmt.Sprintf("duplicate of line %d (the first one was imported)", b.FirstLine),
	}
	text := b.Reason.Error()
	for k, v := range texts {
		if errors.Is(b.Reason, k) {
			text = v
		}
	}
	if b.Column != "" && b.Value != "" {
		return fmt.Sprintf("%s %q: %s", b.Column, b.Value, text)
	}
	if b.Column != "" {
		return b.Column + ": " + text
	}
	return text
}
