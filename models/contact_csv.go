package models

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
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

// ContactCSVTemplate is the file offered as a template on the import page
// and shown there as the example: the header and two contacts.
func ContactCSVTemplate() string {
	return strings.Join(ContactCSVColumns(), ",") + "\r\n" +
		"U4af4980629,陳怡君,0912-345-678,true,2026-11-01T09:30:00+08:00,2026-11-20T18:05:00+08:00,VIP;台北\r\n" +
		"U8c1e22b7f0,Wong Ka Ming,+852 9123 4567,false,,,\r\n"
}

// CSVTagSeparator separates tag names inside the tags column.
const CSVTagSeparator = ";"

// Limits of the contacts CSV fields (characters), matching the columns.
const (
	MaxExternalIDLen = 64
	MaxContactName   = 200
	MaxPhoneLen      = 32
)

// Encodings a contacts CSV may come in. Taiwanese Excel saves plain "CSV"
// in Big5 and "Unicode text" in UTF-16 with a BOM (tab-separated).
const (
	EncodingUTF8    = "utf-8"
	EncodingBig5    = "big5"
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
)

// Errors that refuse a whole file (catalogue ids).
var (
	ErrImportEmpty           = errors.New("error.import_empty")
	ErrImportEncoding        = errors.New("error.import_encoding")
	ErrImportNoExternalID    = errors.New("error.import_no_external_id")
	ErrImportDuplicateColumn = errors.New("error.import_duplicate_column")
	ErrImportUnreadable      = errors.New("error.import_unreadable")
)

// Reasons a single row is skipped (catalogue ids).
var (
	ErrImportRowColumns        = errors.New("error.import_row_columns")
	ErrImportRowQuotes         = errors.New("error.import_row_quotes")
	ErrImportRowQuotesSpan     = errors.New("error.import_row_quotes_span")
	ErrImportRowNUL            = errors.New("error.import_row_nul")
	ErrImportExternalIDMissing = errors.New("error.import_external_id_missing")
	ErrImportExternalIDTooLong = errors.New("error.import_external_id_too_long")
	ErrImportNameTooLong       = errors.New("error.import_name_too_long")
	ErrImportPhoneTooLong      = errors.New("error.import_phone_too_long")
	ErrImportBool              = errors.New("error.import_bool")
	ErrImportTime              = errors.New("error.import_time")
	ErrImportTimeRange         = errors.New("error.import_time_range")
	ErrImportTag               = errors.New("error.import_tag")
	ErrImportDuplicate         = errors.New("error.import_duplicate")
)

// ImportRowReasons lists every reason a row can be skipped for.
func ImportRowReasons() []error {
	return []error{ErrImportRowColumns, ErrImportRowQuotes, ErrImportRowQuotesSpan, ErrImportRowNUL, ErrImportExternalIDMissing,
		ErrImportExternalIDTooLong, ErrImportNameTooLong, ErrImportPhoneTooLong, ErrPhoneInvalid, ErrImportBool, ErrImportTime,
		ErrImportTimeRange, ErrImportTag, ErrImportDuplicate}
}

// ImportFileErrors lists every reason a whole file can be refused for.
func ImportFileErrors() []error {
	return []error{ErrImportEmpty, ErrImportEncoding, ErrImportNoExternalID, ErrImportDuplicateColumn, ErrImportUnreadable}
}

// IsImportFileError tells whether err refuses a whole file.
func IsImportFileError(err error) bool {
	for _, e := range ImportFileErrors() {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
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

// ContactCSV is a contacts CSV file, converted to UTF-8, whose header has
// been checked and whose rows have been counted.
type ContactCSV struct {
	data  []byte // UTF-8, without BOM
	comma rune
	cols  map[string]int
	width int
	// Rows counts the data rows (records after the header, blank ones not
	// counted).
	Rows int
	// Header holds the column names as read (trimmed, lower case).
	Header []string
	// Encoding is the encoding the file came in (EncodingUTF8, …).
	Encoding string
}

// OpenContactCSV reads a whole file and checks it before anything is
// imported: its encoding is detected (UTF-8 with or without a BOM, UTF-16
// with a BOM, else Big5) and converted to UTF-8; it must have a header row
// naming an external_id column and at least one data row. Problems with
// single rows are left to the import, which reports them by line.
func OpenContactCSV(src io.Reader) (*ContactCSV, error) {
	raw, err := io.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("models: read CSV: %w", err)
	}
	return ParseContactCSV(raw)
}

// ParseContactCSV is OpenContactCSV for a file already in memory.
func ParseContactCSV(raw []byte) (*ContactCSV, error) {
	data, enc, err := decodeCSV(raw)
	if err != nil {
		return nil, err
	}
	f := &ContactCSV{data: data, Encoding: enc, comma: sniffComma(data)}
	if err := f.readHeader(); err != nil {
		return nil, err
	}
	if f.Rows == 0 {
		return nil, ErrImportEmpty
	}
	return f, nil
}

// UTF8 returns the file's content in UTF-8 (what is stored for an import
// running in the background).
func (f *ContactCSV) UTF8() []byte { return f.data }

// decodeCSV detects the encoding of raw and returns it as UTF-8.
func decodeCSV(raw []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")):
		raw = raw[3:]
		if !utf8.Valid(raw) {
			return nil, "", ErrImportEncoding
		}
		return raw, EncodingUTF8, nil
	case bytes.HasPrefix(raw, []byte("\xFF\xFE")):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), raw, EncodingUTF16LE)
	case bytes.HasPrefix(raw, []byte("\xFE\xFF")):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), raw, EncodingUTF16BE)
	}
	if e, name := utf16WithoutBOM(raw); e != nil {
		return decodeWith(e, raw, name)
	}
	if utf8.Valid(raw) {
		return raw, EncodingUTF8, nil
	}
	// Not UTF-8: the plain "CSV" of Traditional Chinese Excel is Big5 (code
	// page 950; x/text's Big5 includes the Hong Kong additions). A byte
	// sequence Big5 cannot read either means we do not know the encoding.
	out, err := traditionalchinese.Big5.NewDecoder().Bytes(raw)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return nil, "", ErrImportEncoding
	}
	return out, EncodingBig5, nil
}

func decodeWith(e encoding.Encoding, raw []byte, name string) ([]byte, string, error) {
	out, err := e.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, "", ErrImportEncoding
	}
	out = bytes.TrimPrefix(out, []byte("\uFEFF"))
	if !utf8.Valid(out) {
		return nil, "", ErrImportEncoding
	}
	return out, name, nil
}

// utf16WithoutBOM recognises UTF-16 that lost its BOM by the zero bytes
// an ASCII header row leaves in every other position.
func utf16WithoutBOM(raw []byte) (encoding.Encoding, string) {
	n := min(len(raw), 512) &^ 1
	var evenZero, oddZero, units int
	for i := 0; i < n; i += 2 {
		units++
		if raw[i] == 0 {
			evenZero++
		}
		if raw[i+1] == 0 {
			oddZero++
		}
		if (raw[i] == '\n' && raw[i+1] == 0) || (raw[i] == 0 && raw[i+1] == '\n') {
			break // the header row is over
		}
	}
	if units < 8 {
		return nil, ""
	}
	switch {
	case oddZero == units && evenZero == 0:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), EncodingUTF16LE
	case evenZero == units && oddZero == 0:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), EncodingUTF16BE
	}
	return nil, ""
}

// sniffComma picks the separator from the header line: a tab when it has
// tabs and no commas (Excel's "Unicode text"), else a comma.
func sniffComma(data []byte) rune {
	line := data
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if bytes.IndexByte(line, '\t') >= 0 && bytes.IndexByte(line, ',') < 0 {
		return '\t'
	}
	return ','
}

// reader returns a CSV reader at the start of the file.
func (f *ContactCSV) reader() *csv.Reader {
	r := csv.NewReader(bytes.NewReader(f.data))
	r.Comma = f.comma
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return r
}

// readHeader reads the header and counts the data rows.
func (f *ContactCSV) readHeader() error {
	r := f.reader()
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return ErrImportEmpty
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return ErrImportUnreadable
	}
	if err != nil {
		return fmt.Errorf("models: read CSV header: %w", err)
	}
	f.cols = map[string]int{}
	for i, h := range header {
		// A NUL in a column name is damage, not meaning.
		h = strings.ToLower(strings.TrimSpace(CleanText(h, 0)))
		f.Header = append(f.Header, h)
		if h == "" {
			continue
		}
		if _, dup := f.cols[h]; dup {
			return ErrImportDuplicateColumn
		}
		f.cols[h] = i
	}
	f.width = len(header)
	if _, ok := f.cols[ColExternalID]; !ok {
		return ErrImportNoExternalID
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && !errors.As(err, &pe) {
			return fmt.Errorf("models: read CSV: %w", err)
		}
		if err == nil && blankRecord(rec) {
			continue
		}
		f.Rows++
	}
}

// KnownColumn tells whether the import reads a column of this name.
func KnownColumn(name string) bool {
	for _, c := range ContactCSVColumns() {
		if c == name {
			return true
		}
	}
	return false
}

// RowOptions say how rows are read.
type RowOptions struct {
	// Now bounds the times a row may carry: from 1970-01-01 to a day after
	// Now. Defaults to time.Now.
	Now time.Time
	// Location reads times written without an offset. Defaults to UTC.
	Location *time.Location
	// Region reads phone numbers written without a country code
	// (PhoneRegion of the workspace). Defaults to DefaultPhoneRegion.
	Region string
}

func (o *RowOptions) defaults() {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Region == "" {
		o.Region = DefaultPhoneRegion
	}
}

// importRow is one valid data row, as it will be written.
type importRow struct {
	line              int
	externalID        string
	name, phone       string
	subscribed        *bool // nil: keep (new contacts: true)
	subscribedAt      *time.Time
	lastInteractionAt *time.Time
	tags              []string
}

// scanned is one data row of the file: valid (err nil) or not.
type scanned struct {
	row importRow
	err *ImportRowError
	rec []string // the cells as read; reused by the next row
}

// scan reads every data row in file order, checks it and hands it to fn
// until fn returns false. A duplicate external_id keeps the first row.
func (f *ContactCSV) scan(opt RowOptions, fn func(s scanned) bool) error {
	opt.defaults()
	r := f.reader()
	if _, err := r.Read(); err != nil {
		return fmt.Errorf("models: read CSV header: %w", err)
	}
	seen := make(map[string]int, f.Rows)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var s scanned
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			s.err = &ImportRowError{Line: pe.StartLine, Reason: ErrImportRowQuotes}
			if pe.Line > pe.StartLine {
				// An unclosed quote swallowed the lines up to pe.Line.
				s.err.Reason, s.err.EndLine = ErrImportRowQuotesSpan, pe.Line
			}
		case err != nil:
			return fmt.Errorf("models: read CSV: %w", err)
		case blankRecord(rec):
			continue // a row of empty cells, as spreadsheets leave at the end
		default:
			line, _ := r.FieldPos(0)
			s.rec = rec
			s.row, s.err = f.parseRow(rec, line, opt)
			if s.err == nil {
				if first := seen[s.row.externalID]; first != 0 {
					s.err = &ImportRowError{Line: line, Column: ColExternalID, Value: shorten(s.row.externalID), Reason: ErrImportDuplicate, FirstLine: first}
				} else {
					seen[s.row.externalID] = line
				}
			}
		}
		if !fn(s) {
			return nil
		}
	}
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

// Times a row may carry start here: anything earlier is a typo or a
// spreadsheet's zero date, and would break the channel's list later.
var minCSVTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// parseRow checks one record; the error names the first problem found.
func (f *ContactCSV) parseRow(rec []string, line int, opt RowOptions) (importRow, *ImportRowError) {
	row := importRow{line: line}
	if len(rec) != f.width {
		return row, &ImportRowError{Line: line, Reason: ErrImportRowColumns}
	}
	for _, v := range rec {
		// PostgreSQL refuses NUL in text, and a NUL in a CSV means the
		// bytes around it are damaged (a bad export, a binary file): the
		// row is refused and listed rather than stored half-garbled.
		if HasNUL(v) {
			return row, &ImportRowError{Line: line, Reason: ErrImportRowNUL}
		}
	}
	raw := func(col string) string {
		if i, ok := f.cols[col]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	cell := func(col string) string { return unprotectCell(raw(col)) }
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
	if s := cell(ColPhone); s != "" {
		if utf8.RuneCountInString(s) > MaxPhoneLen {
			return fail(ColPhone, s, ErrImportPhoneTooLong)
		}
		p, err := NormalizePhone(s, opt.Region)
		if err != nil {
			return fail(ColPhone, s, ErrPhoneInvalid)
		}
		row.phone = p
	}
	if s := cell(ColSubscribed); s != "" {
		b, ok := parseCSVBool(s)
		if !ok {
			return fail(ColSubscribed, s, ErrImportBool)
		}
		row.subscribed = &b
	}
	latest := opt.Now.Add(24 * time.Hour)
	for _, tc := range []struct {
		col string
		dst **time.Time
	}{{ColSubscribedAt, &row.subscribedAt}, {ColLastInteractionAt, &row.lastInteractionAt}} {
		if s := cell(tc.col); s != "" {
			t, ok := parseCSVTime(s, opt.Location)
			if !ok {
				return fail(tc.col, s, ErrImportTime)
			}
			if t.Before(minCSVTime) || t.After(latest) {
				return fail(tc.col, s, ErrImportTimeRange)
			}
			*tc.dst = &t
		}
	}
	// Each tag was protected on its own by export: undo it per tag, not
	// for the cell, so an apostrophe that is part of a tag survives.
	if s := raw(ColTags); s != "" {
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

// PreviewRowCount is how many data rows a preview shows.
const PreviewRowCount = 10

// ImportPreview is what importing a file will do, worked out before
// anything is written: the column mapping, the first rows as they will be
// stored, and how many rows will fail (and why, for the first ones).
type ImportPreview struct {
	Encoding string          `json:"encoding"`
	Columns  []PreviewColumn `json:"columns"`
	Rows     []PreviewRow    `json:"rows"`
	Total    int             `json:"total"`
	Bad      int             `json:"bad"`
	// BadRows are the first MaxReportedBadRows rows that will fail.
	BadRows []ImportRowError `json:"bad_rows"`
}

// MostlyBad tells whether more than half the rows will fail: the page then
// asks again before importing.
func (p ImportPreview) MostlyBad() bool { return p.Bad*2 > p.Total }

// PreviewColumn is one column of the file and whether import reads it.
type PreviewColumn struct {
	Name  string `json:"name"`
	Known bool   `json:"known"`
}

// PreviewRow is one data row as it will be stored (Error nil) or the
// reason it will not be.
type PreviewRow struct {
	Line              int             `json:"line"`
	ExternalID        string          `json:"external_id"`
	Name              string          `json:"name"`
	Phone             string          `json:"phone"`
	Subscribed        *bool           `json:"subscribed"`
	SubscribedAt      *time.Time      `json:"subscribed_at"`
	LastInteractionAt *time.Time      `json:"last_interaction_at"`
	Tags              []string        `json:"tags"`
	Error             *ImportRowError `json:"error,omitempty"`
	// Cells are the row's cells as read, shortened, for a row that fails.
	Cells []string `json:"cells,omitempty"`
}

// Preview reads the whole file as the import will, without writing.
func (f *ContactCSV) Preview(opt RowOptions) (ImportPreview, error) {
	p := ImportPreview{Encoding: f.Encoding, Total: f.Rows}
	for _, h := range f.Header {
		p.Columns = append(p.Columns, PreviewColumn{Name: h, Known: KnownColumn(h)})
	}
	err := f.scan(opt, func(s scanned) bool {
		if s.err != nil {
			p.Bad++
			if len(p.BadRows) < MaxReportedBadRows {
				p.BadRows = append(p.BadRows, *s.err)
			}
		}
		if len(p.Rows) < PreviewRowCount {
			p.Rows = append(p.Rows, previewRow(s))
		}
		return true
	})
	return p, err
}

func previewRow(s scanned) PreviewRow {
	if s.err != nil {
		pr := PreviewRow{Line: s.err.Line, Error: s.err}
		for _, c := range s.rec {
			pr.Cells = append(pr.Cells, shorten(CleanText(c, 0)))
		}
		return pr
	}
	r := s.row
	return PreviewRow{Line: r.line, ExternalID: r.externalID, Name: r.name, Phone: r.phone, Subscribed: r.subscribed,
		SubscribedAt: r.subscribedAt, LastInteractionAt: r.lastInteractionAt, Tags: r.tags}
}

// importRowErrorJSON is how an ImportRowError is stored: the reason by its
// catalogue id.
type importRowErrorJSON struct {
	Line      int    `json:"line"`
	Column    string `json:"column,omitempty"`
	Value     string `json:"value,omitempty"`
	Reason    string `json:"reason"`
	FirstLine int    `json:"first_line,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
}

// MarshalJSON stores the reason by its catalogue id.
func (e ImportRowError) MarshalJSON() ([]byte, error) {
	j := importRowErrorJSON{Line: e.Line, Column: e.Column, Value: e.Value, FirstLine: e.FirstLine, EndLine: e.EndLine}
	if e.Reason != nil {
		j.Reason = e.Reason.Error()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a stored row error back, with its reason as the
// sentinel error of that id.
func (e *ImportRowError) UnmarshalJSON(b []byte) error {
	var j importRowErrorJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = ImportRowError{Line: j.Line, Column: j.Column, Value: j.Value, FirstLine: j.FirstLine, EndLine: j.EndLine, Reason: errors.New(j.Reason)}
	for _, r := range ImportRowReasons() {
		if r.Error() == j.Reason {
			e.Reason = r
		}
	}
	return nil
}
