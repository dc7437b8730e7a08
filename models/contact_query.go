package models

import (
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
	var tags []Tag
	if err := db.Where("name IN ?", names).Find(&tags).Error; err != nil {
		return nil, fmt.Errorf("models: resolve tags: %w", err)
	}
	out := make(map[string]uint, len(tags))
	for _, t := range tags {
		out[t.Name] = t.ID
	}
	return out, nil
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
// (newest first), then those without one (Null), by id.
type contactCursor struct {
	Null bool      `json:"n,omitempty"`
	T    time.Time `json:"t,omitempty"`
	ID   uint64    `json:"i"`
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

func cursorOf(c Contact, col string) contactCursor {
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
	var rows []Contact
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
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	tags, err := TagNamesByContact(db, ids)
	if err != nil {
		return page, err
	}
	for _, r := range rows {
		page.Contacts = append(page.Contacts, ContactWithTags{Contact: r, Tags: tags[r.ID]})
	}
	return page, nil
}

// pageForward reads n rows after cur in display order: the timed segment
// newest first, then the untimed one by id.
func (f ContactFilter) pageForward(db *gorm.DB, col string, cur *contactCursor, n int, now time.Time) ([]Contact, error) {
	var out []Contact
	if cur == nil || !cur.Null {
		q, err := f.scope(db, now)
		if err != nil {
			return nil, err
		}
		q = q.Where("contacts." + col + " IS NOT NULL")
		if cur != nil {
			q = q.Where("(contacts."+col+", contacts.id) < (?, ?)", cur.T, cur.ID)
		}
		if err := q.Order("contacts." + col + " DESC, contacts.id DESC").Limit(n).Find(&out).Error; err != nil {
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
	var rest []Contact
	if err := q.Order("contacts.id DESC").Limit(n - len(out)).Find(&rest).Error; err != nil {
		return nil, fmt.Errorf("models: contact page: %w", err)
	}
	return append(out, rest...), nil
}

// pageBackward reads n rows before cur, returned in display order.
func (f ContactFilter) pageBackward(db *gorm.DB, col string, cur contactCursor, n int, now time.Time) ([]Contact, error) {
	var rev []Contact
	if cur.Null {
		q, err := f.scope(db, now)
		if err != nil {
			return nil, err
		}
		q = q.Where("contacts."+col+" IS NULL AND contacts.id > ?", cur.ID)
		if err := q.Order("contacts.id ASC").Limit(n).Find(&rev).Error; err != nil {
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
			q = q.Where("(contacts."+col+", contacts.id) > (?, ?)", cur.T, cur.ID)
		}
		var more []Contact
		if err := q.Order("contacts." + col + " ASC, contacts.id ASC").Limit(n - len(rev)).Find(&more).Error; err != nil {
			return nil, fmt.Errorf("models: contact page: %w", err)
		}
		rev = append(rev, more...)
	}
	out := make([]Contact, len(rev))
	for i, c := range rev {
		out[len(rev)-1-i] = c
	}
	return out, nil
}

// countTimeout bounds an exact count on PostgreSQL; past it the planner's
// estimate is shown, labelled as one.
const countTimeout = 150 * time.Millisecond

// CountContacts counts the contacts matching f. On PostgreSQL a count that
// would take longer than countTimeout gives way to the planner's estimate
// (estimated = true).
func CountContacts(db *gorm.DB, f ContactFilter, now time.Time) (n int64, estimated bool, err error) {
	if !IsPostgres(db) {
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

// estimateContacts asks PostgreSQL's planner how many rows f matches.
func estimateContacts(db *gorm.DB, f ContactFilter, now time.Time) (int64, error) {
	sql := db.ToSQL(func(tx *gorm.DB) *gorm.DB {
		q, err := f.scope(tx, now)
		if err != nil {
			return tx.Where("1 = 0").Find(&[]Contact{})
		}
		return q.Select("contacts.id").Find(&[]Contact{})
	})
	var plan string
	if err := db.Raw("EXPLAIN (FORMAT JSON) " + sql).Row().Scan(&plan); err != nil {
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

// TagMatching puts tags on every contact matching f in one statement per
// tag (no row-by-row round trips), returning how many links were added.
func TagMatching(db *gorm.DB, f ContactFilter, tags []Tag, now time.Time) (int64, error) {
	var added int64
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, t := range tags {
			q, err := f.scope(tx, now)
			if err != nil {
				return err
			}
			sub := q.Select("contacts.id, ?", t.ID)
			res := tx.Exec("INSERT INTO contact_tags (contact_id, tag_id) ? ON CONFLICT DO NOTHING", sub)
			if res.Error != nil {
				return fmt.Errorf("models: tag matching contacts: %w", res.Error)
			}
			added += res.RowsAffected
		}
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
