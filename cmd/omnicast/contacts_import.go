package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"omnicast/models"
)

// runContactsImport imports a contacts CSV file into a channel:
//
//	omnicast contacts import --channel ID FILE   (FILE "-" reads stdin)
//
// A file that cannot be imported at all is refused before anything is
// written. Rows that cannot be imported are skipped and listed by line; the
// command then exits non-zero so scripts notice.
func runContactsImport(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "contacts import", "contacts import --channel ID [flags] FILE\n\n"+
		"FILE is a UTF-8 CSV file (\"-\" reads stdin) with a header row naming the columns\n"+
		"external_id (required), name, phone, subscribed (true/false), subscribed_at,\n"+
		"last_interaction_at (RFC 3339) and tags (separated by \";\"). Existing contacts are updated.")
	cfg := bindConfig(fs, env.getenv)
	channelID := fs.Uint("channel", 0, "channel id (required; see 'omnicast channel list')")
	batch := fs.Int("batch", models.DefaultImportBatch, "rows written per transaction")
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
	last := start
	res, err := models.ImportContacts(ctx, db, *channelID, file, models.ImportOptions{
		Location: ws.Location(), BatchSize: *batch,
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
	if res.Bad > 0 {
		return fmt.Errorf("contacts import: %d rows were skipped (listed above); fix them and import the file again", res.Bad)
	}
	return nil
}

// openImportSource opens FILE, or copies stdin to a temporary file: an
// import reads its file twice (check, then import).
func openImportSource(env *runEnv, name string) (io.ReadSeeker, func(), error) {
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		return f, func() { _ = f.Close() }, nil
	}
	tmp, err := os.CreateTemp("", "omnicast-import-*.csv")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { _ = tmp.Close(); _ = os.Remove(tmp.Name()) }
	if _, err := io.Copy(tmp, env.stdin); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("read stdin: %w", err)
	}
	return tmp, cleanup, nil
}

// importFileText says in English why a file was refused.
func importFileText(err error) string {
	texts := map[error]string{
		models.ErrImportEmpty:           "the file is empty: it needs a header row and at least one contact",
		models.ErrImportNotUTF8:         "the file is not UTF-8 text; in Excel use Save As → \"CSV UTF-8 (Comma delimited)\"",
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
		models.ErrImportExternalIDMissing: "external_id is empty",
		models.ErrImportExternalIDTooLong: fmt.Sprintf("external_id is longer than %d characters", models.MaxExternalIDLen),
		models.ErrImportNameTooLong:       fmt.Sprintf("the name is longer than %d characters", models.MaxContactName),
		models.ErrImportPhoneTooLong:      fmt.Sprintf("the phone number is longer than %d characters", models.MaxPhoneLen),
		models.ErrImportBool:              "subscribed must be true or false",
		models.ErrImportTime:              "not a date and time; use RFC 3339, such as 2026-11-01T09:30:00+08:00",
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
