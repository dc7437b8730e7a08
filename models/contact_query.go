package models

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// sortColumn is the contacts column a sort order uses.
func (f ContactFilter) sortColumn() string {
	if f.Sort == SortSubscription {
		return "subscribed_at"
	}
	return "last_interaction_at"
}

// scope returns contacts matching f at the moment now. Tag names are
// resolved to ids first, so the per-row tests are index probes on
// contact_tags(contact_id, tag_id).
func (f ContactFilter) scope(db *gorm.DB, now time.Time) (*gorm.DB, error) {
	if f.ChannelID == 0 {
		return nil, ErrFilterChannel
	}
	q := db.Model(&Contact{}).Where("contacts.channel_id = ?", f.ChannelID)
	switch f.Status {
	case StatusSubscribed, "":
		q = q.Where("contacts.subscribed = ?", true)
	case StatusUnsubscribed:
		q = q.Where("contacts.subscribed = ?", false)
	}
	if f.SubscribedFrom != nil {
		q = q.Where("contacts.subscribed_at >= ?", *f.SubscribedFrom)
	}
	if f.SubscribedTo != nil {
		q = q.Where("contacts.subscribed_at < ?", *f.SubscribedTo)
	}
	if f.InteractedFrom != nil {
		q = q.Where("contacts.last_interaction_at >= ?", *f.InteractedFrom)
	}
	if f.InteractedTo != nil {
		q = q.Where("contacts.last_interaction_at < ?", *f.InteractedTo)
	}
	if f.InteractedWithin > 0 {
		q = q.Where("contacts.last_interaction_at >= ?", now.Add(-f.InteractedWithin).UTC())
	}
	if f.Q != "" {
		like := "%" + escapeLike(f.Q) + "%"
		if IsPostgres(db) {
			q = q.Where(`contacts.name ILIKE ? ESCAPE '\'`, like)
		} else {
			q = q.Where(`contacts.name LIKE ? ESCAPE '\'`, like)
		}
	}
	return f.tagScope(db, q)
}

const hasTags = "EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = contacts.id AND ct.tag_id IN ?)"

func (f ContactFilter) tagScope(db, q *gorm.DB) (*gorm.DB, error) {
	if len(f.TagsAny)+len(f.TagsAll)+len(f.TagsNone) == 0 {
		return q, nil
	}
	ids, err := tagIDsByName(db, append(append(append([]string{}, f.TagsAny...), f.TagsAll...), f.TagsNone...))
	if err != nil {
		return nil, err
	}
	if len(f.TagsAny) > 0 {
		any := pickIDs(ids, f.TagsAny)
		if len(any) == 0 {
			return q.Where("1 = 0"), nil
		}
		q = q.Where(hasTags, any)
	}
	for _, name := range f.TagsAll {
		id, ok := ids[name]
		if !ok {
			return q.Where("1 = 0"), nil
		}
		q = q.Where(hasTags, []uint{id})
	}
	if none := pickIDs(ids, f.TagsNone); len(none) > 0 {
		q = q.Where("NOT "+hasTags, none)
	}
	return q, nil
}

func tagIDsByName(db *gorm.DB, names []string) (map[string]uint, error) {
	tags, err := FindTags(db, names)
	if err != nil {
		return nil, err
	}
	return IndexTagsByName(names, tags), nil
}

func pickIDs(ids map[string]uint, names []string) []uint {
	var out []uint
	for _, n := range names {
		if id, ok := ids[n]; ok {
			out = append(out, id)
		}
	}
	return out
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// contactCursor is a keyset position: contacts with a sort time come first
// (newest first), then those without one (Null), by id. With Stored, the
// position is "the sort time stored with contact ID", compared in the
// database: that of a row whose time cannot be read (contact_read.go).
type contactCursor struct {
	Null   bool      `json:"n,omitempty"`
	T      time.Time `json:"t,omitempty"`
	ID     uint64    `json:"i"`
	Stored bool      `json:"r,omitempty"`
}

func (c contactCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrCursorInvalid is returned for a cursor that was not made by us.
var ErrCursorInvalid = errors.New("error.filter_cursor")

func decodeCursor(s string) (contactCursor, error) {
	var c contactCursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.ID == 0 {
		return c, ErrCursorInvalid
	}
	return c, nil
}

func cursorOf(r contactRead, col string) contactCursor {
	if r.unreadableColumn(col) {
		return contactCursor{Stored: true, ID: r.ID}
	}
	c := r.Contact
	t := c.LastInteractionAt
	if col == "subscribed_at" {
		t = c.SubscribedAt
	}
	if t == nil {
		return contactCursor{Null: true, ID: c.ID}
	}
	return contactCursor{T: t.UTC(), ID: c.ID}
}

// ContactPage is one page of the contact list.
type ContactPage struct {
	Contacts []ContactWithTags
	// Next and Prev are cursors for the neighbouring pages ("" when none).
	Next, Prev string
	// Skipped counts the rows of the page that could not be read back and
	// are left out (and logged); paging still moves past them.
	Skipped int
}

// ListContactPage returns up to limit contacts matching f, newest first by
// the filter's sort, after (or, with before, before) a cursor. It pages by
// keyset, never by OFFSET.
func ListContactPage(db *gorm.DB, f ContactFilter, after, before string, limit int, now time.Time) (ContactPage, error) {
	var page ContactPage
	col := f.sortColumn()
	var cur *contactCursor
	for _, s := range []string{after, before} {
		if s != "" {
			c, err := decodeCursor(s)
			if err != nil {
				return page, err
			}
			cur = &c
		}
	}
	backward := before != "" && cur != nil
	var rows []contactRead
	var err error
	if backward {
		rows, err = f.pageBackward(db, col, *cur, limit+1, now)
	} else {
		rows, err = f.pageForward(db, col, cur, limit+1, now)
	}
	if err != nil {
		return page, err
	}
	more := len(rows) > limit
	if more {
		if backward {
			rows = rows[1:]
		} else {
			rows = rows[:limit]
		}
	}
	if len(rows) > 0 {
		if backward {
			page.Next = cursorOf(rows[len(rows)-1], col).encode()
			if more {
				page.Prev = cursorOf(rows[0], col).encode()
			}
		} else {
			if more {
				page.Next = cursorOf(rows[len(rows)-1], col).encode()
			}
			if cur != nil {
				page.Prev = cursorOf(rows[0], col).encode()
			}
		}
	}
	contacts, skipped := readableContacts(rows, "contact list")
	page.Skipped = skipped
	ids := make([]uint64, len(contacts))
	for i, r := range contacts {
		ids[i] = r.ID
	}
	tags, err := TagNamesByContact(db, ids)
	if err != nil {
		return page, err
	}
	for _, r := range contacts {
		page.Contacts = append(page.Contacts, ContactWithTags{Contact: r, Tags: tags[r.ID]})
	}
	return page, nil
}

// pageForward reads n rows after cur in display order: the timed segment
// newest first, then the untimed one by id.
func (f ContactFilter) pageForward(db *gorm.DB, col string, cur *contactCursor, n int, now time.Time) ([]contactRead, error) {
	var out []contactRead
	if cur == nil || !cur.Null {
		q, err := f.scope(db, now)
		if err != nil {
			return nil, err
		}
		q = q.Where("contacts." + col + " IS NOT NULL")
		if cur != nil {
			q = q.Where("(contacts."+col+", contacts.id) < (?, ?)", cur.sortValue(db, col), cur.ID)
		}
		if out, err = readContacts(q.Order("contacts." + col + " DESC, contacts.id DESC").Limit(n)); err != nil {
			return nil, fmt.Errorf("models: contact page: %w", err)
		}
		if len(out) >= n {
			return out, nil
		}
	}
	q, err := f.scope(db, now)
	if err != nil {
		return nil, err
	}
	q = q.Where("contacts." + col + " IS NULL")
	if cur != nil && cur.Null {
		q = q.Where("contacts.id < ?", cur.ID)
	}
	rest, err := readContacts(q.Order("contacts.id DESC").Limit(n - len(out)))
	if err != nil {
		return nil, fmt.Errorf("models: contact page: %w", err)
	}
	return append(out, rest...), nil
}

// pageBackward reads n rows before cur, returned in display order.
func (f ContactFilter) pageBackward(db *gorm.DB, col string, cur contactCursor, n int, now time.Time) ([]contactRead, error) {
	var rev []contactRead
	if cur.Null {
		q, err := f.scope(db, now)
		if err != nil {
			return nil, err
		}
		q = q.Where("contacts."+col+" IS NULL AND contacts.id > ?", cur.ID)
		if rev, err = readContacts(q.Order("contacts.id ASC").Limit(n)); err != nil {
			return nil, fmt.Errorf("models: contact page: %w", err)
		}
	}
	if len(rev) < n {
		q, err := f.scope(db, now)
		if err != nil {
			return nil, err
		}
		q = q.Where("contacts." + col + " IS NOT NULL")
		if !cur.Null {
			q = q.Where("(contacts."+col+", contacts.id) > (?, ?)", cur.sortValue(db, col), cur.ID)
		}
		more, err := readContacts(q.Order("contacts." + col + " ASC, contacts.id ASC").Limit(n - len(rev)))
		if err != nil {
			return nil, fmt.Errorf("models: contact page: %w", err)
		}
		rev = append(rev, more...)
	}
	out := make([]contactRead, len(rev))
	for i, c := range rev {
		out[len(rev)-1-i] = c
	}
	return out, nil
}

// countTimeout bounds an exact count on PostgreSQL; past it the planner's
// estimate is shown, labelled as one. With the estimate it keeps the
// answer under 100 ms at a million contacts.
const countTimeout = 70 * time.Millisecond

// CountContacts counts the contacts matching f, exactly when that is quick
// and otherwise as an estimate (estimated = true): on PostgreSQL an exact
// count running past countTimeout gives way to the planner's estimate; on
// SQLite (whose driver cannot interrupt a running query) a small sample
// comes first and tells whether the exact count would be quick.
func CountContacts(db *gorm.DB, f ContactFilter, now time.Time) (n int64, estimated bool, err error) {
	if f.ChannelID == 0 {
		return 0, false, ErrFilterChannel
	}
	if !IsPostgres(db) {
		s, err := sampleContacts(db, f, now)
		if err != nil {
			return 0, false, err
		}
		if s.complete {
			return s.matches, false, nil
		}
		if s.candidates > sqliteExactLimit(f) {
			return s.matches, true, nil
		}
		q, err := f.scope(db, now)
		if err != nil {
			return 0, false, err
		}
		if err := q.Count(&n).Error; err != nil {
			return 0, false, fmt.Errorf("models: count contacts: %w", err)
		}
		return n, false, nil
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL statement_timeout = " + strconv.Itoa(int(countTimeout.Milliseconds()))).Error; err != nil {
			return err
		}
		q, err := f.scope(tx, now)
		if err != nil {
			return err
		}
		return q.Count(&n).Error
	})
	if err == nil {
		return n, false, nil
	}
	if errors.Is(err, ErrFilterChannel) || !strings.Contains(err.Error(), "statement timeout") {
		return 0, false, fmt.Errorf("models: count contacts: %w", err)
	}
	n, err = estimateContacts(db, f, now)
	return n, true, err
}

// sqliteExactLimit is how many candidate rows (the channel's contacts
// within the filter's time bounds, read from an index) an exact SQLite
// count may visit and still answer within about 70 ms on a 2-core machine
// (measured: ~3.5 µs a row with tag conditions, ~0.1 µs without):
// tag and name conditions cost a probe or a string search per row.
func sqliteExactLimit(f ContactFilter) int64 {
	if len(f.TagsAny)+len(f.TagsAll)+len(f.TagsNone) > 0 || f.Q != "" {
		return 18000
	}
	return 400000
}

// SQLite samples read sampleSlices runs of sampleSlice consecutive ids,
// spread evenly over the id range (rowid range scans: cheap, and not tied
// to the filter's own indexes), and scale the matches up.
const (
	sampleSlices = 20
	sampleSlice  = 1000
)

type contactSample struct {
	matches    int64 // estimated matches of the filter
	candidates int64 // estimated contacts of the channel within its time bounds
	complete   bool  // the sample read every contact: matches is exact
}

// sampleContacts estimates on SQLite how many contacts match f.
func sampleContacts(db *gorm.DB, f ContactFilter, now time.Time) (contactSample, error) {
	var out contactSample
	// Two statements: SQLite answers a lone MIN or MAX from the rowid
	// b-tree's ends, but scans the table for both at once.
	var lo, hi sql.NullInt64
	if err := db.Model(&Contact{}).Select("MIN(id)").Row().Scan(&lo); err != nil {
		return out, fmt.Errorf("models: estimate contacts: %w", err)
	}
	if err := db.Model(&Contact{}).Select("MAX(id)").Row().Scan(&hi); err != nil {
		return out, fmt.Errorf("models: estimate contacts: %w", err)
	}
	if !lo.Valid {
		out.complete = true
		return out, nil
	}
	// The candidates: the same channel and time bounds, nothing else.
	wide := ContactFilter{ChannelID: f.ChannelID, Status: StatusAll, SubscribedFrom: f.SubscribedFrom, SubscribedTo: f.SubscribedTo,
		InteractedFrom: f.InteractedFrom, InteractedTo: f.InteractedTo, InteractedWithin: f.InteractedWithin}
	var scopes [2]*gorm.DB
	for i, g := range []ContactFilter{f, wide} {
		q, err := g.scope(db, now)
		if err != nil {
			return out, err
		}
		scopes[i] = q.Session(&gorm.Session{})
	}
	span := hi.Int64 - lo.Int64 + 1
	step := max(span/sampleSlices, 1)
	out.complete = step <= sampleSlice
	var hits, cands, sampled int64
	for from := lo.Int64; from <= hi.Int64; from += step {
		to := min(from+min(step, sampleSlice), hi.Int64+1)
		for i, q := range scopes {
			var n int64
			if err := q.Where("contacts.id >= ? AND contacts.id < ?", from, to).Count(&n).Error; err != nil {
				return out, fmt.Errorf("models: estimate contacts: %w", err)
			}
			if i == 0 {
				hits += n
			} else {
				cands += n
			}
		}
		sampled += to - from
	}
	scale := float64(span) / float64(sampled)
	out.matches = int64(float64(hits)*scale + 0.5)
	out.candidates = int64(float64(cands)*scale + 0.5)
	return out, nil
}

// estimateContacts asks PostgreSQL's planner how many rows f matches. The
// filter is built on the real connection (tag names must resolve to ids)
// and only the final SELECT is rendered, with its values bound.
func estimateContacts(db *gorm.DB, f ContactFilter, now time.Time) (int64, error) {
	q, err := f.scope(db, now)
	if err != nil {
		return 0, err
	}
	stmt := q.Session(&gorm.Session{DryRun: true}).Select("contacts.id").Find(&[]Contact{}).Statement
	var plan string
	if err := db.Raw("EXPLAIN (FORMAT JSON) "+stmt.SQL.String(), stmt.Vars...).Row().Scan(&plan); err != nil {
		return 0, fmt.Errorf("models: estimate contacts: %w", err)
	}
	var parsed []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &parsed); err != nil || len(parsed) == 0 {
		return 0, fmt.Errorf("models: read estimate: %v", err)
	}
	return int64(parsed[0].Plan.Rows), nil
}

// TagMatching puts tags on every contact matching f in one statement (no
// row-by-row round trips), returning how many links were added. The
// selection is judged once, before any tag is put on, so a filter that
// names one of the tags (say "without tag X", tagging X and Y) gives every
// tag the same contacts.
func TagMatching(db *gorm.DB, f ContactFilter, tags []Tag, now time.Time) (int64, error) {
	if len(tags) == 0 {
		return 0, nil
	}
	ids := make([]uint, len(tags))
	for i, t := range tags {
		ids[i] = t.ID
	}
	var added int64
	err := db.Transaction(func(tx *gorm.DB) error {
		q, err := f.scope(tx, now)
		if err != nil {
			return err
		}
		sub := q.Select("contacts.id, tags.id").Joins("CROSS JOIN tags").Where("tags.id IN ?", ids)
		res := tx.Exec("INSERT INTO contact_tags (contact_id, tag_id) ? ON CONFLICT DO NOTHING", sub)
		if res.Error != nil {
			return fmt.Errorf("models: tag matching contacts: %w", res.Error)
		}
		added = res.RowsAffected
		return nil
	})
	return added, err
}

// UntagMatching removes tags from every contact matching f.
func UntagMatching(db *gorm.DB, f ContactFilter, tags []Tag, now time.Time) (int64, error) {
	q, err := f.scope(db, now)
	if err != nil {
		return 0, err
	}
	ids := make([]uint, len(tags))
	for i, t := range tags {
		ids[i] = t.ID
	}
	res := db.Where("tag_id IN ? AND contact_id IN (?)", ids, q.Select("contacts.id")).Delete(&ContactTag{})
	if res.Error != nil {
		return 0, fmt.Errorf("models: untag matching contacts: %w", res.Error)
	}
	return res.RowsAffected, nil
}
