package models

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Recipient filters of a broadcast's recipients table.
const (
	RecipientsAll       = "all"
	RecipientsSent      = "sent"
	RecipientsDelivered = "delivered"
	RecipientsRead      = "read"
	RecipientsClicked   = "clicked"
	RecipientsReplied   = "replied"
	RecipientsFailed    = "failed"
	RecipientsSkipped   = "skipped"
	RecipientsUncertain = "uncertain"
)

// RecipientStatuses lists the filters in the table's order.
func RecipientStatuses() []string {
	return []string{RecipientsAll, RecipientsSent, RecipientsDelivered, RecipientsRead, RecipientsClicked, RecipientsReplied,
		RecipientsFailed, RecipientsSkipped, RecipientsUncertain}
}

// ValidRecipientStatus tells whether s is one of RecipientStatuses.
func ValidRecipientStatus(s string) bool {
	for _, v := range RecipientStatuses() {
		if v == s {
			return true
		}
	}
	return false
}

// MaxRecipientsPage bounds one page of the recipients table.
const MaxRecipientsPage = 200

// RecipientFilter selects a page of a broadcast's recipients: a status,
// a piece of the name, and the cursor (the last delivery id shown).
type RecipientFilter struct {
	BroadcastID uint
	Status      string // one of RecipientStatuses; "" is all
	Q           string
	After       uint64
	Limit       int
}

// Recipient is one person of a broadcast's audience with what became of
// their message.
type Recipient struct {
	DeliveryID  uint64
	ContactID   uint64
	Name        string
	ExternalID  string
	State       string
	Reason      string
	SentAt      *time.Time
	DeliveredAt *time.Time
	ReadAt      *time.Time
	ClickedAt   *time.Time
	RepliedAt   *time.Time
}

// Stage is the furthest the message got: read, delivered or sent for a
// sent one, else the delivery's state (a claimed one is still pending).
func (r Recipient) Stage() string {
	switch {
	case r.State == DeliverySent && r.ReadAt != nil:
		return RecipientsRead
	case r.State == DeliverySent && r.DeliveredAt != nil:
		return RecipientsDelivered
	case r.State == DeliveryClaimed:
		return DeliveryPending
	}
	return r.State
}

// recipientsQuery is the deliveries of f's broadcast matching its status
// and name, after its cursor, in id order. Each status reads through an
// index that starts with the broadcast: (broadcast_id, state, id) for the
// states, (broadcast_id, id) for all, and the partial indexes of clicked
// and replied rows (migration 0023), so a page of a 1,000,000-person
// broadcast reads about a page of rows.
func recipientsQuery(db *gorm.DB, f RecipientFilter) *gorm.DB {
	q := db.Table("deliveries").
		Select("deliveries.id AS delivery_id, deliveries.contact_id, COALESCE(contacts.name, '') AS name,"+
			" COALESCE(contacts.external_id, '') AS external_id, deliveries.state, deliveries.reason, deliveries.sent_at,"+
			" deliveries.delivered_at, deliveries.read_at, deliveries.clicked_at, deliveries.replied_at").
		Joins("LEFT JOIN contacts ON contacts.id = deliveries.contact_id").
		Where("deliveries.broadcast_id = ?", f.BroadcastID)
	// The states are literals, so that the planner sees which part of
	// the (broadcast_id, state, id) index a filter reads.
	switch f.Status {
	case RecipientsSent:
		q = q.Where("deliveries.state = '" + DeliverySent + "'")
	case RecipientsDelivered:
		q = q.Where("deliveries.state = '" + DeliverySent + "' AND deliveries.delivered_at IS NOT NULL")
	case RecipientsRead:
		q = q.Where("deliveries.state = '" + DeliverySent + "' AND deliveries.read_at IS NOT NULL")
	case RecipientsClicked:
		q = q.Where("deliveries.clicked_at IS NOT NULL")
	case RecipientsReplied:
		q = q.Where("deliveries.replied_at IS NOT NULL")
	case RecipientsFailed:
		q = q.Where("deliveries.state = '" + DeliveryFailed + "'")
	case RecipientsSkipped:
		q = q.Where("deliveries.state = '" + DeliverySkipped + "'")
	case RecipientsUncertain:
		q = q.Where("deliveries.state = '" + DeliveryUncertain + "'")
	}
	if name := strings.TrimSpace(f.Q); name != "" {
		like := "%" + escapeLike(name) + "%"
		if IsPostgres(db) {
			q = q.Where("contacts.name ILIKE ?", like)
		} else {
			q = q.Where(`contacts.name LIKE ? ESCAPE '\'`, like)
		}
	}
	if f.After > 0 {
		q = q.Where("deliveries.id > ?", f.After)
	}
	return q.Order("deliveries.id")
}

// ListRecipients returns a page of f's recipients and the cursor of the
// next page (0 when this is the last).
func ListRecipients(db *gorm.DB, f RecipientFilter) ([]Recipient, uint64, error) {
	limit := f.Limit
	if limit <= 0 || limit > MaxRecipientsPage {
		limit = 50
	}
	var rows []Recipient
	if err := recipientsQuery(db, f).Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("models: recipients of broadcast %d: %w", f.BroadcastID, err)
	}
	var next uint64
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].DeliveryID
	}
	return rows, next, nil
}

// EachRecipient calls fn for every recipient matching f (its After and
// Limit ignored), a keyset page at a time: memory stays at one page
// whatever the audience.
func EachRecipient(db *gorm.DB, f RecipientFilter, fn func(Recipient) error) error {
	f.After, f.Limit = 0, MaxRecipientsPage
	for {
		rows, next, err := ListRecipients(db, f)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		f.After = next
	}
}
