package models

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// The contacts CSV: import reads these columns by name (in any order,
// unknown columns ignored); export writes them in this order, so an export
// can be imported again.
const (
	ColExternalID        = "external_id"
	ColName              = "name"
	ColPhone             = "phone"
	ColSubscribed        = "subscribed"
	ColSubscribedAt      = "subscribed_at"
	ColLastInteractionAt = "last_interaction_at"
	ColTags              = "tags"
)

// ContactCSVColumns lists the contacts CSV columns in export order.
func ContactCSVColumns() []string {
	return []string{ColExternalID, ColName, ColPhone, ColSubscribed, ColSubscribedAt, ColLastInteractionAt, ColTags}
}

// CSVTagSeparator separates tag names inside the tags column.
const CSVTagSeparator = ";"

// Limits of the contacts CSV fields (characters), matching the columns.
const (
	MaxExternalIDLen = 64
	MaxContactName   = 200
	MaxPhoneLen      = 32
)

// Errors that refuse a whole file (catalogue ids).
var (
	ErrImportEmpty           = errors.New("error.import_empty")
	ErrImportNotUTF8         = errors.New("error.import_not_utf8")
	ErrImportNoExternalID    = errors.New("error.import_no_external_id")
	ErrImportDuplicateColumn = errors.New("error.import_duplicate_column")
	ErrImportUnreadable      = errors.New("error.import_unreadable")
)

// Reasons a single row is skipped (catalogue ids).
var (
	ErrImportRowColumns        = errors.New("error.import_row_columns")
	ErrImportRowQuotes         = errors.New("error.import_row_quotes")
	ErrImportRowQuotesSpan     = errors.New("error.import_row_quotes_span")
	ErrImportExternalIDMissing = errors.New("error.import_external_id_missing")
	ErrImportExternalIDTooLong = errors.New("error.import_external_id_too_long")
	ErrImportNameTooLong       = errors.New("error.import_name_too_long")
	ErrImportPhoneTooLong      = errors.New("error.import_phone_too_long")
	ErrImportBool              = errors.New("error.import_bool")
	ErrImportTime              = errors.New("error.import_time")
	ErrImportTag               = errors.New("error.import_tag")
	ErrImportDuplicate         = errors.New("error.import_duplicate")
)

// ImportRowReasons lists every reason a row can be skipped for.
func ImportRowReasons() []error {
	return []error{ErrImportRowColumns, ErrImportRowQuotes, ErrImportRowQuotesSpan, ErrImportExternalIDMissing, ErrImportExternalIDTooLong,
		ErrImportNameTooLong, ErrImportPhoneTooLong, ErrImportBool, ErrImportTime, ErrImportTag, ErrImportDuplicate}
}

// ImportFileErrors lists every reason a whole file can be refused for.
func ImportFileErrors() []error {
	return []error{ErrImportEmpty, ErrImportNotUTF8, ErrImportNoExternalID, ErrImportDuplicateColumn, ErrImportUnreadable}
}

// ImportRowError is a row that was not imported.
type ImportRowError struct {
	// Line is the line of the file where the row starts (the header is line 1).
	Line int
	// Column is the column at fault; "" when the row as a whole is.
	Column string
	// Value is the offending value, shortened.
	Value string
	// Reason is a catalogue id (one of ImportRowReasons).
	Reason error
	// FirstLine is, for a duplicate, the line whose row was kept.
	FirstLine int
	// EndLine is, for an unclosed quote, the last line it swallowed.
	EndLine int
}

// MaxReportedBadRows bounds the bad rows an ImportResult lists (all are counted).
const MaxReportedBadRows = 1000

// ImportResult is what an import did.
type ImportResult struct {
	Rows    int // data rows read
	Created int
	Updated int
	Bad     int // rows skipped
	// BadRows are the first MaxReportedBadRows skipped rows, in file order.
	BadRows []ImportRowError
}

// ContactCSV is a contacts CSV file whose encoding and header have been
// checked. It reads its source twice: once to check it (OpenContactCSV),
// once to import it.
type ContactCSV struct {
	src    io.ReadSeeker
	cols   map[string]int
	width  int
	Rows   int // data rows (records after the header)
	Header []string
}

// OpenContactCSV checks a whole file before anything is imported: it must
// be UTF-8 (a BOM is accepted), have a header row naming an external_id
// column and at least one data row. Problems with single rows are left to
// the import, which reports them by line.
func OpenContactCSV(src io.ReadSeeker) (*ContactCSV, error) {
	f := &ContactCSV{src: src}
	r, err := f.reader()
	if err != nil {
		return nil, err
	}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, ErrImportEmpty
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, ErrImportUnreadable
	}
	if err != nil {
		return nil, fmt.Errorf("models: read CSV header: %w", err)
	}
	f.cols = map[string]int{}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, ErrImportNotUTF8
		}
		h = strings.ToLower(strings.TrimSpace(h))
		f.Header = append(f.Header, h)
		if h == "" {
			continue
		}
		if _, dup := f.cols[h]; dup {
			return nil, ErrImportDuplicateColumn
		}
		f.cols[h] = i
	}
	f.width = len(header)
	if _, ok := f.cols[ColExternalID]; !ok {
		return nil, ErrImportNoExternalID
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.As(err, &pe) {
			return nil, fmt.Errorf("models: read CSV: %w", err)
		}
		for _, v := range rec {
			if !utf8.ValidString(v) {
				return nil, ErrImportNotUTF8
			}
		}
		if err == nil && blankRecord(rec) {
			continue
		}
		f.Rows++
	}
	if f.Rows == 0 {
		return nil, ErrImportEmpty
	}
	return f, nil
}

// reader rewinds the source and returns a CSV reader past any BOM.
func (f *ContactCSV) reader() (*csv.Reader, error) {
	if _, err := f.src.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("models: rewind CSV: %w", err)
	}
	br := bufio.NewReaderSize(f.src, 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return r, nil
}

// ImportOptions tune an import.
type ImportOptions struct {
	// Now is the import time: subscription time of new contacts without
	// one, created/updated stamps. Defaults to time.Now.
	Now time.Time
	// Location reads times written without an offset. Defaults to UTC.
	Location *time.Location
	// BatchSize is the rows per transaction (default 1000).
	BatchSize int
	// Progress, when set, is called after each batch is written with the
	// rows done so far (good and bad) and the file's total. It is called
	// from the writing goroutines, one call at a time.
	Progress func(done, total int)
}

// DefaultImportBatch is the rows written per transaction.
const DefaultImportBatch = 1000

// importRow is one valid data row.
type importRow struct {
	line              int
	externalID        string
	name, phone       string
	subscribed        *bool // nil: keep (new contacts: true)
	subscribedAt      *time.Time
	lastInteractionAt *time.Time
	tags              []string
}

// ImportContacts creates or updates the file's contacts in channelID, in
// batches of one transaction each. Bad rows are skipped and reported by
// line; a duplicate external_id keeps the first row. Empty cells and absent
// columns keep what is stored; tags are added, never removed; the last
// interaction time never moves backwards. A database error stops the import
// (the batches already written stay) and is returned with the result so far.
func ImportContacts(ctx context.Context, db *gorm.DB, channelID uint, f *ContactCSV, opt ImportOptions) (ImportResult, error) {
	var res ImportResult
	if channelID == 0 {
		return res, ErrFilterChannel
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	opt.Now = opt.Now.UTC()
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultImportBatch
	}
	r, err := f.reader()
	if err != nil {
		return res, err
	}
	if _, err := r.Read(); err != nil {
		return res, fmt.Errorf("models: read CSV header: %w", err)
	}

	// The file is read here, in order; batches are written by workers (two
	// on PostgreSQL, which takes concurrent writers; one on SQLite). Rows of
	// different batches never share an external id, so their transactions
	// do not touch the same contacts.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type job struct {
		rows []importRow
		read int // rows of the file this batch accounts for, bad ones included
	}
	jobs := make(chan job)
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	workers := 1
	if IsPostgres(db) {
		workers = 2
	}
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				created, updated, err := 0, 0, error(nil)
				if len(j.rows) > 0 && ctx.Err() == nil {
					created, updated, err = writeImportBatch(ctx, db, channelID, j.rows, opt.Now)
				}
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				res.Created += created
				res.Updated += updated
				done += j.read
				if opt.Progress != nil && ctx.Err() == nil {
					opt.Progress(done, f.Rows)
				}
				mu.Unlock()
			}
		})
	}

	var bad []ImportRowError
	badCount := 0
	seen := make(map[string]int, f.Rows)
	batch := make([]importRow, 0, opt.BatchSize)
	read, pending := 0, 0
	var readErr error
	send := func() bool {
		select {
		case jobs <- job{rows: batch, read: pending}:
			batch, pending = make([]importRow, 0, opt.BatchSize), 0
			return true
		case <-ctx.Done():
			return false
		}
	}
	for readErr == nil {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *ImportRowError
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rowErr = &ImportRowError{Line: pe.StartLine, Reason: ErrImportRowQuotes}
			if pe.Line > pe.StartLine {
				// An unclosed quote swallowed the lines up to pe.Line.
				rowErr.Reason, rowErr.EndLine = ErrImportRowQuotesSpan, pe.Line
			}
		} else if err != nil {
			readErr = fmt.Errorf("models: read CSV: %w", err)
			break
		} else if blankRecord(rec) {
			continue // a row of empty cells, as spreadsheets leave at the end
		} else {
			line, _ := r.FieldPos(0)
			var row importRow
			row, rowErr = f.parseRow(rec, line, opt.Location)
			if rowErr == nil {
				if first := seen[row.externalID]; first != 0 {
					rowErr = &ImportRowError{Line: line, Column: ColExternalID, Value: shorten(row.externalID), Reason: ErrImportDuplicate, FirstLine: first}
				} else {
					seen[row.externalID] = line
					batch = append(batch, row)
				}
			}
		}
		read++
		pending++
		if rowErr != nil {
			badCount++
			if len(bad) < MaxReportedBadRows {
				bad = append(bad, *rowErr)
			}
		}
		if len(batch) >= opt.BatchSize || pending >= 10*opt.BatchSize {
			if !send() {
				break
			}
		}
	}
	if readErr == nil && ctx.Err() == nil {
		send()
	}
	close(jobs)
	wg.Wait()
	res.Rows, res.Bad, res.BadRows = read, badCount, bad
	if readErr != nil {
		return res, readErr
	}
	if err := context.Cause(ctx); err != nil {
		return res, err
	}
	// The import is not done until the planner knows the new rows: the
	// contacts page is opened right after it.
	if res.Created+res.Updated > 0 {
		if err := RefreshStatistics(ctx, db); err != nil {
			return res, err
		}
	}
	return res, nil
}

// blankRecord tells whether every cell of a record is empty.
func blankRecord(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// parseRow checks one record; the error names the first problem found.
func (f *ContactCSV) parseRow(rec []string, line int, loc *time.Location) (importRow, *ImportRowError) {
	row := importRow{line: line}
	if len(rec) != f.width {
		return row, &ImportRowError{Line: line, Reason: ErrImportRowColumns}
	}
	cell := func(col string) string {
		if i, ok := f.cols[col]; ok {
			return unprotectCell(strings.TrimSpace(rec[i]))
		}
		return ""
	}
	fail := func(col, v string, reason error) (importRow, *ImportRowError) {
		return row, &ImportRowError{Line: line, Column: col, Value: shorten(v), Reason: reason}
	}
	row.externalID = cell(ColExternalID)
	if row.externalID == "" {
		return fail(ColExternalID, "", ErrImportExternalIDMissing)
	}
	if utf8.RuneCountInString(row.externalID) > MaxExternalIDLen {
		return fail(ColExternalID, row.externalID, ErrImportExternalIDTooLong)
	}
	row.name = cell(ColName)
	if utf8.RuneCountInString(row.name) > MaxContactName {
		return fail(ColName, row.name, ErrImportNameTooLong)
	}
	row.phone = cell(ColPhone)
	if utf8.RuneCountInString(row.phone) > MaxPhoneLen {
		return fail(ColPhone, row.phone, ErrImportPhoneTooLong)
	}
	if s := cell(ColSubscribed); s != "" {
		b, ok := parseCSVBool(s)
		if !ok {
			return fail(ColSubscribed, s, ErrImportBool)
		}
		row.subscribed = &b
	}
	for _, tc := range []struct {
		col string
		dst **time.Time
	}{{ColSubscribedAt, &row.subscribedAt}, {ColLastInteractionAt, &row.lastInteractionAt}} {
		if s := cell(tc.col); s != "" {
			t, ok := parseCSVTime(s, loc)
			if !ok {
				return fail(tc.col, s, ErrImportTime)
			}
			*tc.dst = &t
		}
	}
	if s := cell(ColTags); s != "" {
		seenTag := map[string]bool{}
		// Any tag separator, as in every tag box; export writes CSVTagSeparator.
		for _, part := range strings.FieldsFunc(s, IsTagSeparator) {
			part = unprotectCell(strings.TrimSpace(part))
			if part == "" {
				continue
			}
			name, err := NormalizeTagName(part)
			if err != nil {
				return fail(ColTags, part, ErrImportTag)
			}
			if !seenTag[TagKey(name)] {
				seenTag[TagKey(name)] = true
				row.tags = append(row.tags, name)
			}
		}
	}
	return row, nil
}

func parseCSVBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "y", "是":
		return true, true
	case "false", "0", "no", "n", "否":
		return false, true
	}
	return false, false
}

// csvTimeLayouts are accepted besides RFC 3339: the forms a spreadsheet
// tends to write back, read in the workspace time zone.
var csvTimeLayouts = []string{
	"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"2006/1/2 15:04:05", "2006/1/2 15:04", "2006-01-02", "2006/1/2",
}

func parseCSVTime(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range csvTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// shorten keeps a reported value readable.
func shorten(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// formulaStart tells whether a spreadsheet would run s as a formula.
func formulaStart(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// protectCell keeps spreadsheets from running a value as a formula (names
// come from strangers on social platforms): it prefixes a quote, which
// import removes again.
func protectCell(s string) string {
	if formulaStart(s) && !isPhoneLike(s) {
		return "'" + s
	}
	return s
}

// unprotectCell undoes protectCell.
func unprotectCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && formulaStart(s[1:]) {
		return s[1:]
	}
	return s
}

// isPhoneLike is true for "+886 912-345-678" and the like, which are
// harmless and left as they are.
func isPhoneLike(s string) bool {
	if len(s) < 2 || s[0] != '+' {
		return false
	}
	for _, r := range s[1:] {
		if (r < '0' || r > '9') && r != ' ' && r != '-' && r != '(' && r != ')' {
			return false
		}
	}
	return true
}

// existingContact is what an import needs of a stored contact.
type existingContact struct {
	ID             uint64
	ExternalID     string
	Subscribed     bool
	SubscribedAt   *time.Time
	UnsubscribedAt *time.Time
}

// contactValues are the values a batch writes for one row.
type contactValues struct {
	externalID, name, phone              string
	subscribed                           bool
	subscribedAt, unsubscribedAt, lastAt *time.Time
}

// contactUpsertSet is the update half of the statement that writes stored
// contacts: the values were computed from the locked rows, except that the
// last interaction only moves forward and empty name / phone keep the
// stored ones.
const contactUpsertSet = ` ON CONFLICT (channel_id, external_id) DO UPDATE SET
 name = CASE WHEN excluded.name = '' THEN contacts.name ELSE excluded.name END,
 phone = CASE WHEN excluded.phone = '' THEN contacts.phone ELSE excluded.phone END,
 subscribed = excluded.subscribed,
 subscribed_at = excluded.subscribed_at,
 unsubscribed_at = excluded.unsubscribed_at,
 last_interaction_at = CASE WHEN contacts.last_interaction_at IS NULL OR excluded.last_interaction_at > contacts.last_interaction_at
   THEN excluded.last_interaction_at ELSE contacts.last_interaction_at END,
 updated_at = excluded.updated_at
 RETURNING id, external_id`

// contactColumns are the columns a batch inserts.
const contactColumns = "channel_id, external_id, name, phone, subscribed, subscribed_at, unsubscribed_at, last_interaction_at, created_at, updated_at"

// batchWriter is the database-specific half of an import batch. Every
// statement finds contacts through the (channel_id, external_id) unique
// index as an ON CONFLICT arbiter (or, on SQLite, an IN list on it), so no
// plan depends on table statistics — which a bulk import makes stale.
type batchWriter interface {
	// create inserts rows as new contacts, skipping those that exist, and
	// returns the ids of the ones it created.
	create(rows []contactValues) (map[string]uint64, error)
	// lock locks and returns the stored contacts among keys.
	lock(keys []string) ([]existingContact, error)
	// update writes stored contacts (contactUpsertSet) and returns their ids.
	update(rows []contactValues) (map[string]uint64, error)
	// link inserts contact–tag links, ignoring existing ones.
	link(contactIDs []uint64, tagIDs []uint) error
}

// writeImportBatch writes one batch in one transaction: it inserts the new
// contacts, then locks the stored ones, computes their new values and
// writes them, each step one statement (PostgreSQL: arrays unnested;
// SQLite: multi-row VALUES in chunks); then it creates the batch's tags
// once and links them in one statement.
func writeImportBatch(ctx context.Context, db *gorm.DB, channelID uint, rows []importRow, now time.Time) (created, updated int, err error) {
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var w batchWriter
		if IsPostgres(tx) {
			w = &pgBatch{ctx: ctx, tx: tx, channelID: channelID, now: now}
		} else {
			w = &sqliteBatch{tx: tx, channelID: channelID, now: now}
		}
		values := make([]contactValues, len(rows))
		for i, r := range rows {
			values[i] = importValues(r, nil, now)
		}
		idOf, err := w.create(values)
		if err != nil {
			return fmt.Errorf("create contacts: %w", err)
		}
		created = len(idOf)
		var rest []string
		for _, r := range rows {
			if _, ok := idOf[r.externalID]; !ok {
				rest = append(rest, r.externalID)
			}
		}
		if len(rest) > 0 {
			found, err := w.lock(rest)
			if err != nil {
				return fmt.Errorf("lock contacts: %w", err)
			}
			stored := make(map[string]*existingContact, len(found))
			for i := range found {
				stored[found[i].ExternalID] = &found[i]
			}
			values = values[:0]
			for _, r := range rows {
				if _, ok := idOf[r.externalID]; !ok {
					values = append(values, importValues(r, stored[r.externalID], now))
				}
			}
			ids, err := w.update(values)
			if err != nil {
				return fmt.Errorf("update contacts: %w", err)
			}
			updated = len(ids)
			for k, v := range ids {
				idOf[k] = v
			}
		}
		return linkImportTags(tx, w, rows, idOf)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("models: import contacts: %w", err)
	}
	return created, updated, nil
}

// importValues decides what a row writes, given the stored contact (nil
// when new).
func importValues(r importRow, e *existingContact, now time.Time) contactValues {
	v := contactValues{externalID: r.externalID, name: r.name, phone: r.phone, lastAt: utcPtr(r.lastInteractionAt)}
	n := now
	if e == nil {
		v.subscribed = r.subscribed == nil || *r.subscribed
		if v.subscribed {
			v.subscribedAt = &n
		} else {
			v.unsubscribedAt = &n
		}
	} else {
		v.subscribed, v.subscribedAt, v.unsubscribedAt = e.Subscribed, e.SubscribedAt, e.UnsubscribedAt
		if r.subscribed != nil && *r.subscribed != e.Subscribed {
			if *r.subscribed {
				v.subscribed, v.subscribedAt, v.unsubscribedAt = true, &n, nil
			} else {
				v.subscribed, v.unsubscribedAt = false, &n
			}
		}
	}
	if r.subscribedAt != nil {
		v.subscribedAt = r.subscribedAt
	}
	v.subscribedAt, v.unsubscribedAt = utcPtr(v.subscribedAt), utcPtr(v.unsubscribedAt)
	return v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// linkImportTags creates the batch's tags once and links them.
func linkImportTags(tx *gorm.DB, w batchWriter, rows []importRow, idOf map[string]uint64) error {
	var names []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, t := range r.tags {
			if !seen[t] {
				seen[t] = true
				names = append(names, t)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	// Sorted, so concurrent batches create shared tags in the same order.
	sort.Strings(names)
	tags, err := EnsureTags(tx, names)
	if err != nil {
		return err
	}
	tagID := IndexTagsByName(names, tags)
	var contactIDs []uint64
	var tagIDs []uint
	for _, r := range rows {
		cid, ok := idOf[r.externalID]
		if !ok {
			continue
		}
		for _, t := range r.tags {
			contactIDs = append(contactIDs, cid)
			tagIDs = append(tagIDs, tagID[t])
		}
	}
	if err := w.link(contactIDs, tagIDs); err != nil {
		return fmt.Errorf("link tags: %w", err)
	}
	return nil
}

// pgBatch writes through the transaction's connection with array
// parameters: a handful of parameters per statement whatever the batch size.
type pgBatch struct {
	ctx       context.Context
	tx        *gorm.DB
	channelID uint
	now       time.Time
}

const pgUnnestValues = ` SELECT $1, v.external_id, v.name, v.phone, v.subscribed, v.subscribed_at, v.unsubscribed_at, v.last_interaction_at, $9, $9
 FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
   AS v(external_id, name, phone, subscribed, subscribed_at, unsubscribed_at, last_interaction_at)`

func (b *pgBatch) args(rows []contactValues) []any {
	n := len(rows)
	ext, name, phone := make([]string, n), make([]string, n), make([]string, n)
	sub := make([]bool, n)
	subAt, unsubAt, lastAt := make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
	for i, r := range rows {
		ext[i], name[i], phone[i], sub[i] = r.externalID, r.name, r.phone, r.subscribed
		subAt[i], unsubAt[i], lastAt[i] = r.subscribedAt, r.unsubscribedAt, r.lastAt
	}
	return []any{int64(b.channelID), ext, name, phone, sub, subAt, unsubAt, lastAt, b.now}
}

func (b *pgBatch) create(rows []contactValues) (map[string]uint64, error) {
	rs, err := b.tx.Statement.ConnPool.QueryContext(b.ctx, "INSERT INTO contacts ("+contactColumns+")"+pgUnnestValues+
		" ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING id, external_id", b.args(rows)...)
	if err != nil {
		return nil, err
	}
	return scanIDs(rs, len(rows))
}

// lock takes the row locks with a no-op upsert, which reaches the rows
// through the arbiter index and returns their current values. (A contact
// deleted since create is inserted again with defaults, then updated.)
func (b *pgBatch) lock(keys []string) ([]existingContact, error) {
	rs, err := b.tx.Statement.ConnPool.QueryContext(b.ctx, `INSERT INTO contacts (channel_id, external_id, created_at, updated_at)
 SELECT $1, k.external_id, $3, $3 FROM unnest($2::text[]) AS k(external_id)
 ON CONFLICT (channel_id, external_id) DO UPDATE SET updated_at = excluded.updated_at
 RETURNING id, external_id, subscribed, subscribed_at, unsubscribed_at`, int64(b.channelID), keys, b.now)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []existingContact
	for rs.Next() {
		var e existingContact
		if err := rs.Scan(&e.ID, &e.ExternalID, &e.Subscribed, &e.SubscribedAt, &e.UnsubscribedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rs.Err()
}

func (b *pgBatch) update(rows []contactValues) (map[string]uint64, error) {
	rs, err := b.tx.Statement.ConnPool.QueryContext(b.ctx, "INSERT INTO contacts ("+contactColumns+")"+pgUnnestValues+contactUpsertSet, b.args(rows)...)
	if err != nil {
		return nil, err
	}
	return scanIDs(rs, len(rows))
}

func (b *pgBatch) link(contactIDs []uint64, tagIDs []uint) error {
	if len(contactIDs) == 0 {
		return nil
	}
	cs, ts := make([]int64, len(contactIDs)), make([]int64, len(tagIDs))
	for i := range contactIDs {
		cs[i], ts[i] = int64(contactIDs[i]), int64(tagIDs[i])
	}
	_, err := b.tx.Statement.ConnPool.ExecContext(b.ctx,
		`INSERT INTO contact_tags (contact_id, tag_id) SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING`, cs, ts)
	return err
}

// sqliteBatch writes with multi-row VALUES statements of sqliteChunk
// rows: the driver binds parameters in time quadratic in their number per
// statement, and without a network several small statements cost nothing.
// The transaction already holds SQLite's write lock, so reading is locking.
type sqliteBatch struct {
	tx        *gorm.DB
	channelID uint
	now       time.Time
}

const sqliteChunk = 100

func (b *sqliteBatch) create(rows []contactValues) (map[string]uint64, error) {
	return b.insert(rows, " ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING id, external_id")
}

func (b *sqliteBatch) update(rows []contactValues) (map[string]uint64, error) {
	return b.insert(rows, contactUpsertSet)
}

func (b *sqliteBatch) insert(rows []contactValues, tail string) (map[string]uint64, error) {
	idOf := make(map[string]uint64, len(rows))
	var sb strings.Builder
	for start := 0; start < len(rows); start += sqliteChunk {
		part := rows[start:min(start+sqliteChunk, len(rows))]
		sb.Reset()
		sb.WriteString("INSERT INTO contacts (" + contactColumns + ") VALUES ")
		args := make([]any, 0, len(part)*10)
		for i, r := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?)")
			args = append(args, b.channelID, r.externalID, r.name, r.phone, r.subscribed, r.subscribedAt, r.unsubscribedAt, r.lastAt, b.now, b.now)
		}
		sb.WriteString(tail)
		rs, err := b.tx.Raw(sb.String(), args...).Rows()
		if err != nil {
			return nil, err
		}
		ids, err := scanIDs(rs, len(part))
		if err != nil {
			return nil, err
		}
		for k, v := range ids {
			idOf[k] = v
		}
	}
	return idOf, nil
}

func (b *sqliteBatch) lock(keys []string) ([]existingContact, error) {
	var out []existingContact
	for start := 0; start < len(keys); start += 4 * sqliteChunk {
		part := keys[start:min(start+4*sqliteChunk, len(keys))]
		var found []existingContact
		err := b.tx.Raw("SELECT id, external_id, subscribed, subscribed_at, unsubscribed_at FROM contacts WHERE channel_id = ? AND external_id IN ?",
			b.channelID, part).Scan(&found).Error
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

func (b *sqliteBatch) link(contactIDs []uint64, tagIDs []uint) error {
	var sb strings.Builder
	for start := 0; start < len(contactIDs); start += 2 * sqliteChunk {
		end := min(start+2*sqliteChunk, len(contactIDs))
		sb.Reset()
		sb.WriteString("INSERT INTO contact_tags (contact_id, tag_id) VALUES ")
		args := make([]any, 0, 2*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?)")
			args = append(args, contactIDs[i], tagIDs[i])
		}
		sb.WriteString(" ON CONFLICT DO NOTHING")
		if err := b.tx.Exec(sb.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// scanIDs reads "id, external_id" rows.
func scanIDs(rs *sql.Rows, n int) (map[string]uint64, error) {
	defer rs.Close()
	idOf := make(map[string]uint64, n)
	for rs.Next() {
		var id uint64
		var ext string
		if err := rs.Scan(&id, &ext); err != nil {
			return nil, err
		}
		idOf[ext] = id
	}
	return idOf, rs.Err()
}
