package models

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// sortColumn is the contacts column a sort order uses.
func (f ContactFilter) sortColumn() string {
	if f.Sort == SortSubscription {
		return "subscribed_at"
	}
	return "last_interaction_at"
}

// contactConds is a filter ready to query: its tag names resolved to ids,
// so the per-row tests are index probes on contact_tags.
type contactConds struct {
	f ContactFilter
	// groups are the tag conditions a contact must all meet: for each
	// group, it carries at least one of its tags (tags_any is one group,
	// each tag of tags_all another).
	groups [][]uint
	// none are tags a contact must not carry.
	none []uint
	// nothing: a required tag does not exist, so nothing matches.
	nothing bool
}

// resolve looks up the filter's tags.
func (f ContactFilter) resolve(db *gorm.DB) (contactConds, error) {
	c := contactConds{f: f}
	if f.ChannelID == 0 {
		return c, ErrFilterChannel
	}
	if len(f.TagsAny)+len(f.TagsAll)+len(f.TagsNone) == 0 {
		return c, nil
	}
	ids, err := tagIDsByName(db, append(append(append([]string{}, f.TagsAny...), f.TagsAll...), f.TagsNone...))
	if err != nil {
		return c, err
	}
	if len(f.TagsAny) > 0 {
		if any := pickIDs(ids, f.TagsAny); len(any) > 0 {
			c.groups = append(c.groups, any)
		} else {
			c.nothing = true
		}
	}
	for _, name := range f.TagsAll {
		if id, ok := ids[name]; ok {
			c.groups = append(c.groups, []uint{id})
		} else {
			c.nothing = true
		}
	}
	c.none = pickIDs(ids, f.TagsNone)
	return c, nil
}

// access says how a query reaches its rows on SQLite, whose planner knows
// neither how many contacts carry a tag nor how many names contain a
// text. PostgreSQL's planner, which does, chooses by itself.
type access int

const (
	// accessOrdered walks the channel's sort (or time) index and tests
	// each row, the tags by probes: quick when matches are common.
	accessOrdered access = iota
	// accessDriven starts from the contacts that a tag link index or the
	// name trigram index lists, and tests (and sorts) only those.
	accessDriven
	// accessScan reads the contacts table itself in rowid order, testing
	// each row (tags by probes): for statements that read every row of a
	// broad audience (confirmation counts) or a range of ids (freezing),
	// where hopping from a channel index entry to its row costs more than
	// reading the rows in order.
	accessScan
)

const hasTag = "EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = contacts.id AND ct.tag_id IN ?)"

// where returns the contacts matching c at the moment now, reached by how.
func (c contactConds) where(db *gorm.DB, now time.Time, how access) *gorm.DB {
	f := c.f
	pg := IsPostgres(db)
	driven := how == accessDriven && !pg && c.hasDriver(db)
	q := db.Model(&Contact{})
	if driven || (how == accessScan && !pg) {
		// The unary + keeps SQLite off the channel's indexes: the rows
		// come from the id lists below, or from the table in id order.
		q = q.Where("+contacts.channel_id = ?", f.ChannelID)
	} else {
		q = q.Where("contacts.channel_id = ?", f.ChannelID)
	}
	if c.nothing {
		return q.Where("1 = 0")
	}
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
		if pg {
			// Backslash is PostgreSQL's LIKE escape; pg_trgm indexes ILIKE.
			q = q.Where("contacts.name ILIKE ?", like)
		} else {
			q = q.Where(`contacts.name LIKE ? ESCAPE '\'`, like)
			if m := trigramMatch(f.Q); driven && m != "" {
				// The trigram index finds every name containing the
				// text, and some more (it folds all of Unicode's
				// cases, LIKE only ASCII's): LIKE above decides.
				q = q.Where("contacts.id IN (SELECT rowid FROM contact_names WHERE contact_names MATCH ?)", m)
			}
		}
	}
	for _, g := range c.groups {
		if driven {
			q = q.Where("contacts.id IN (SELECT contact_id FROM contact_tags WHERE tag_id IN ?)", g)
		} else {
			q = q.Where(hasTag, g)
		}
	}
	if len(c.none) > 0 {
		q = q.Where("NOT "+hasTag, c.none)
	}
	return q
}

// hasDriver tells whether SQLite could start from an id list: a tag
// condition, or a name text long enough for the trigram index.
func (c contactConds) hasDriver(db *gorm.DB) bool {
	return !IsPostgres(db) && (len(c.groups) > 0 || trigramMatch(c.f.Q) != "")
}

// trigramMatch is the FTS5 query finding names that contain q, or "" when
// q is too short for trigrams (under three characters).
func trigramMatch(q string) string {
	if utf8.RuneCountInString(q) < 3 {
		return ""
	}
	return `"` + strings.ReplaceAll(q, `"`, `""`) + `"`
}

// listAccess chooses how a page of limit rows reaches its rows on SQLite.
// Walking the sort index visits about limit × N / D rows to find a page
// when D of the channel's N contacts are on an id list; starting from the
// list visits its D rows (and sorts them). So a page starts from the
// shortest list when D² < limit × N — at a million contacts and pages of
// 50, lists of up to about 7,000 — and walks the sort index otherwise
// (measured at 1M on SQLite: both take ~10 ms near that size). Each list
// is measured by reading at most that many index entries.
func (c contactConds) listAccess(db *gorm.DB, limit int) (access, error) {
	if !c.hasDriver(db) {
		return accessOrdered, nil
	}
	totals, err := channelTotals(db, c.f.ChannelID, false)
	if err != nil {
		return accessOrdered, err
	}
	most := int64(math.Sqrt(float64(limit) * float64(totals.Subscribed+totals.Unsubscribed)))
	var sizes []*gorm.DB
	for _, g := range c.groups {
		sizes = append(sizes, db.Table("contact_tags").Select("1").Where("tag_id IN ?", g).Limit(int(most)+1))
	}
	if m := trigramMatch(c.f.Q); m != "" {
		sizes = append(sizes, db.Table("contact_names").Select("1").Where("contact_names MATCH ?", m).Limit(int(most)+1))
	}
	for _, sub := range sizes {
		var n int64
		if err := db.Table("(?) AS s", sub).Count(&n).Error; err != nil {
			return accessOrdered, fmt.Errorf("models: measure id list: %w", err)
		}
		if n <= most {
			return accessDriven, nil
		}
	}
	return accessOrdered, nil
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

// decodeCursor reads a cursor; ids past the database's signed 64-bit range
// cannot be ours (and would fail in the query, not here).
func decodeCursor(s string) (contactCursor, error) {
	var c contactCursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.ID == 0 || c.ID > math.MaxInt64 {
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
	var cur *contactCursor
	for _, s := range []string{after, before} {
		if s != "" {
			c, err := decodeCursor(s)
			if err != nil {
				return ContactPage{}, err
			}
			cur = &c
		}
	}
	c, err := f.resolve(db)
	if err != nil {
		return ContactPage{}, err
	}
	how, err := c.listAccess(db, limit+1)
	if err != nil {
		return ContactPage{}, err
	}
	return c.page(db, cur, before != "" && cur != nil, limit, now, how)
}

// page reads one page by the given access.
func (c contactConds) page(db *gorm.DB, cur *contactCursor, backward bool, limit int, now time.Time, how access) (ContactPage, error) {
	var page ContactPage
	col := c.f.sortColumn()
	var rows []contactRead
	var err error
	if backward {
		rows, err = c.pageBackward(db, col, *cur, limit+1, now, how)
	} else {
		rows, err = c.pageForward(db, col, cur, limit+1, now, how)
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
func (c contactConds) pageForward(db *gorm.DB, col string, cur *contactCursor, n int, now time.Time, how access) ([]contactRead, error) {
	var out []contactRead
	if cur == nil || !cur.Null {
		q := c.where(db, now, how).Where("contacts." + col + " IS NOT NULL")
		if cur != nil {
			q = q.Where("(contacts."+col+", contacts.id) < (?, ?)", cur.sortValue(db, col), cur.ID)
		}
		var err error
		if out, err = readContacts(q.Order("contacts." + col + " DESC, contacts.id DESC").Limit(n)); err != nil {
			return nil, fmt.Errorf("models: contact page: %w", err)
		}
		if len(out) >= n {
			return out, nil
		}
	}
	q := c.where(db, now, how).Where("contacts." + col + " IS NULL")
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
func (c contactConds) pageBackward(db *gorm.DB, col string, cur contactCursor, n int, now time.Time, how access) ([]contactRead, error) {
	var rev []contactRead
	if cur.Null {
		q := c.where(db, now, how).Where("contacts."+col+" IS NULL AND contacts.id > ?", cur.ID)
		var err error
		if rev, err = readContacts(q.Order("contacts.id ASC").Limit(n)); err != nil {
			return nil, fmt.Errorf("models: contact page: %w", err)
		}
	}
	if len(rev) < n {
		q := c.where(db, now, how).Where("contacts." + col + " IS NOT NULL")
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

// CountContacts counts the contacts matching f, exactly. It is the number
// people plan with, so it never guesses; the list does not wait for it
// (the page asks for it separately). Callers bound its time through db's
// context. The work is kept proportional to the matches, not the channel:
//   - "subscribed" (or unsubscribed, or all) alone is read from the
//     maintained totals (contact_counts);
//   - "none of these tags" is the count without that condition less the
//     contacts that carry one of them, so a broad "everyone but X" costs
//     what X costs;
//   - on SQLite, tag and name conditions start from their id lists.
//
// On PostgreSQL both counts of a difference read one snapshot.
func CountContacts(db *gorm.DB, f ContactFilter, now time.Time) (int64, error) {
	c, err := f.resolve(db)
	if err != nil {
		return 0, err
	}
	var n int64
	if IsPostgres(db) {
		err = db.Transaction(func(tx *gorm.DB) error {
			n, err = c.count(tx, now)
			return err
		}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	} else {
		n, err = c.count(db, now)
	}
	if err != nil {
		return 0, fmt.Errorf("models: count contacts of channel %d: %w", f.ChannelID, err)
	}
	return n, nil
}

func (c contactConds) count(db *gorm.DB, now time.Time) (int64, error) {
	if c.nothing {
		return 0, nil
	}
	if len(c.none) > 0 {
		base := c
		base.none = nil
		all, err := base.count(db, now)
		if err != nil || all == 0 {
			return 0, err
		}
		with := base
		with.groups = append(slices.Clone(base.groups), c.none)
		some, err := with.count(db, now)
		if err != nil {
			return 0, err
		}
		return all - some, nil
	}
	if c.statusOnly() {
		totals, err := channelTotals(db, c.f.ChannelID, false)
		switch c.f.Status {
		case StatusUnsubscribed:
			return totals.Unsubscribed, err
		case StatusAll:
			return totals.Subscribed + totals.Unsubscribed, err
		}
		return totals.Subscribed, err
	}
	var n int64
	err := c.where(db, now, accessDriven).Count(&n).Error
	return n, err
}

// statusOnly tells whether the only condition is the subscription status.
func (c contactConds) statusOnly() bool {
	f := c.f
	return f.SubscribedFrom == nil && f.SubscribedTo == nil && f.InteractedFrom == nil && f.InteractedTo == nil &&
		f.InteractedWithin == 0 && f.Q == "" && len(c.groups) == 0 && len(c.none) == 0
}

// bulkStatisticsMin is how many tag links a bulk change must touch before
// it refreshes the planner's statistics: fewer cannot change a plan, and
// the refresh (a sampled ANALYZE) costs the same whatever the change.
const bulkStatisticsMin = 500

// RefreshAfterBulkTagging refreshes statistics after a large tag change, so the
// next page load (on PostgreSQL; SQLite plans these queries by the rules
// above) plans with the new tag sizes.
func RefreshAfterBulkTagging(db *gorm.DB, changed int64) error {
	if changed < bulkStatisticsMin {
		return nil
	}
	ctx := db.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return RefreshStatistics(ctx, db)
}

// TagMatching puts tags on every contact matching f in one statement (no
// row-by-row round trips), returning how many links were added. The
// selection is judged once, before any tag is put on, so a filter that
// names one of the tags (say "without tag X", tagging X and Y) gives every
// tag the same contacts. A large change refreshes the planner's
// statistics before it returns.
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
		c, err := f.resolve(tx)
		if err != nil {
			return err
		}
		sub := c.where(tx, now, accessDriven).Select("contacts.id, tags.id").Joins("CROSS JOIN tags").Where("tags.id IN ?", ids)
		res := tx.Exec("INSERT INTO contact_tags (contact_id, tag_id) ? ON CONFLICT DO NOTHING", sub)
		if res.Error != nil {
			return fmt.Errorf("models: tag matching contacts: %w", res.Error)
		}
		added = res.RowsAffected
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, RefreshAfterBulkTagging(db, added)
}

// UntagMatching removes tags from every contact matching f. A large change
// refreshes the planner's statistics before it returns.
func UntagMatching(db *gorm.DB, f ContactFilter, tags []Tag, now time.Time) (int64, error) {
	if len(tags) == 0 {
		return 0, nil
	}
	c, err := f.resolve(db)
	if err != nil {
		return 0, err
	}
	ids := make([]uint, len(tags))
	for i, t := range tags {
		ids[i] = t.ID
	}
	sub := c.where(db, now, accessDriven).Select("contacts.id")
	res := db.Where("tag_id IN ? AND contact_id IN (?)", ids, sub).Delete(&ContactTag{})
	if res.Error != nil {
		return 0, fmt.Errorf("models: untag matching contacts: %w", res.Error)
	}
	return res.RowsAffected, RefreshAfterBulkTagging(db, res.RowsAffected)
}
