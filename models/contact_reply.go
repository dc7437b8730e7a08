package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ReplyWindow is how long after a broadcast message a person's own
// message counts as a reply to it (the report's response rate), and an
// unsubscribe as caused by it.
const ReplyWindow = 24 * time.Hour

// recordReply marks the broadcast messages sent to contactID in the
// ReplyWindow before t as replied, once each, counted on their broadcasts.
func recordReply(tx *gorm.DB, contactID uint64, t time.Time) error {
	return markAfterSend(tx, "replied_at", "replied_count", contactID, t)
}

// recordUnsubscribe marks them as followed by an unsubscribe (or a
// block), once each, counted on their broadcasts.
func recordUnsubscribe(tx *gorm.DB, contactID uint64, t time.Time) error {
	return markAfterSend(tx, "unsubscribed_at", "unsubscribed_count", contactID, t)
}

// markAfterSend sets column (a time of deliveries, set only while empty,
// so redelivered or late events change nothing twice) to t on the sent
// deliveries of contactID in the ReplyWindow before t, and adds each to
// counter on its broadcast, in the caller's transaction. column and
// counter are this file's constants, never input.
func markAfterSend(tx *gorm.DB, column, counter string, contactID uint64, t time.Time) error {
	var broadcasts []uint
	if err := tx.Raw("UPDATE deliveries SET "+column+" = ? WHERE contact_id = ? AND state = ? AND "+column+" IS NULL"+
		" AND sent_at IS NOT NULL AND sent_at <= ? AND sent_at > ? RETURNING broadcast_id",
		t.UTC(), contactID, DeliverySent, t.UTC(), t.Add(-ReplyWindow).UTC()).Scan(&broadcasts).Error; err != nil {
		return fmt.Errorf("models: set %s of contact %d's deliveries: %w", column, contactID, err)
	}
	for _, id := range broadcasts {
		if err := tx.Model(&Broadcast{}).Where("id = ?", id).Update(counter, gorm.Expr(counter+" + 1")).Error; err != nil {
			return fmt.Errorf("models: count %s of broadcast %d: %w", counter, id, err)
		}
	}
	return nil
}
