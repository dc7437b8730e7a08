package models

import (
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
)

// Tolerant reading of contacts. A row stored by an older version, by hand
// or by a bug may hold a time that cannot be read back: on SQLite a text
// such as "10000-01-01 00:00:00+00:00" that no time layout parses, on
// PostgreSQL a year past 9999 that neither RFC 3339 nor JSON can write.
// One such row must not fail the whole list, export, command or webhook,
// so contacts are read column by column and an unreadable row is reported
// instead of failing the query: lists skip it (and say so), the webhook
// path repairs it.

// contactReadColumns are the columns readContacts reads, in scan order.
const contactReadColumns = "contacts.id, contacts.channel_id, contacts.external_id, contacts.name, contacts.picture_url, " +
	"contacts.phone, contacts.subscribed, contacts.tester, contacts.subscribed_at, contacts.unsubscribed_at, " +
	"contacts.last_interaction_at, contacts.created_at, contacts.updated_at"

// contactRead is one row as read: the contact, and the columns whose
// stored value could not be read (their fields are left empty).
type contactRead struct {
	Contact
	unreadable []string
	raw        []string // the unreadable values, for the log
}

// readable tells whether every column of the row could be read.
func (r contactRead) readable() bool { return len(r.unreadable) == 0 }

// unreadableColumn tells whether col of the row could not be read.
func (r contactRead) unreadableColumn(col string) bool {
	for _, c := range r.unreadable {
		if c == col {
			return true
		}
	}
	return false
}

// storedTime scans a time column without trusting its content.
type storedTime struct {
	t   *time.Time
	bad bool
	raw string
}

// Scan implements sql.Scanner. It never fails: what is not a readable time
// is marked bad.
func (s *storedTime) Scan(v any) error {
	*s = storedTime{}
	switch x := v.(type) {
	case nil:
	case time.Time:
		if readableTime(x) {
			t := x.UTC()
			s.t = &t
		} else {
			s.bad, s.raw = true, x.UTC().String()
		}
	case string:
		s.parse(x)
	case []byte:
		s.parse(string(x))
	default:
		s.bad, s.raw = true, fmt.Sprintf("%T %v", v, v)
	}
	return nil
}

// parse reads a time handed over as text. The SQLite driver's own parse
// already failed when a DATETIME column arrives as a string, so this only
// catches drivers or expressions that hand times over as text.
func (s *storedTime) parse(text string) {
	for _, layout := range [...]string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, text); err == nil && readableTime(t) {
			t = t.UTC()
			s.t = &t
			return
		}
	}
	s.bad, s.raw = true, TruncateRunes(text, 64)
}

// readableTime: a time that RFC 3339, JSON and the pages can show.
func readableTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// readContacts runs q (a query on contacts, with its conditions, order and
// limit) and reads every row it returns, readable or not.
func readContacts(q *gorm.DB) ([]contactRead, error) {
	rows, err := q.Select(contactReadColumns).Rows()
	if err != nil {
		return nil, fmt.Errorf("models: read contacts: %w", err)
	}
	defer rows.Close()
	timeColumns := [...]string{"subscribed_at", "unsubscribed_at", "last_interaction_at", "created_at", "updated_at"}
	var out []contactRead
	for rows.Next() {
		var r contactRead
		var times [len(timeColumns)]storedTime
		c := &r.Contact
		err := rows.Scan(&c.ID, &c.ChannelID, &c.ExternalID, &c.Name, &c.PictureURL, &c.Phone, &c.Subscribed, &c.Tester,
			&times[0], &times[1], &times[2], &times[3], &times[4])
		if err != nil {
			return nil, fmt.Errorf("models: read contacts: %w", err)
		}
		c.SubscribedAt, c.UnsubscribedAt, c.LastInteractionAt = times[0].t, times[1].t, times[2].t
		if times[3].t != nil {
			c.CreatedAt = *times[3].t
		}
		if times[4].t != nil {
			c.UpdatedAt = *times[4].t
		}
		for i, st := range times {
			if st.bad {
				r.unreadable = append(r.unreadable, timeColumns[i])
				r.raw = append(r.raw, st.raw)
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: read contacts: %w", err)
	}
	return out, nil
}

// logUnreadable records a row left out of a list, so that an admin can
// find and mend it; nothing else of the row is logged.
func logUnreadable(r contactRead, where string) {
	slog.Warn("models: contact row unreadable, left out", "where", where, "channel", r.ChannelID,
		"contact", r.ID, "columns", r.unreadable, "values", r.raw)
}

// readableContacts keeps the readable rows, logging and counting the rest.
func readableContacts(rows []contactRead, where string) (contacts []Contact, skipped int) {
	contacts = make([]Contact, 0, len(rows))
	for _, r := range rows {
		if !r.readable() {
			logUnreadable(r, where)
			skipped++
			continue
		}
		contacts = append(contacts, r.Contact)
	}
	return contacts, skipped
}

// sortValue is what a keyset condition compares the sort column with: the
// cursor's time, or for a Stored cursor the value stored with its contact,
// which the database compares as stored (a time that cannot be read back
// cannot travel in a cursor, yet paging must move past its row).
func (c contactCursor) sortValue(db *gorm.DB, col string) any {
	if !c.Stored {
		return c.T
	}
	stored := db.Session(&gorm.Session{NewDB: true}).Model(&Contact{}).Select("contacts."+col).Where("contacts.id = ?", c.ID)
	return gorm.Expr("(?)", stored)
}
