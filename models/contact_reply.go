package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ReplyWindow is how long after a broadcast message a person's own
// message counts as a reply to it (the report's response rate).
const ReplyWindow = 24 * time.Hour

// recordReply marks the broadcast messages sent to contactID in the
// ReplyWindow before t as replied, once each, and counts them on their
// broadcasts in the same transaction. Redelivered or late events change
// nothing twice (replied_at is set only while empty).
func recordReply(tx *gorm.DB, contactID uint64, t time.Time) error {
	var broadcasts []uint
	if err := tx.Raw("UPDATE deliveries SET replied_at = ? WHERE contact_id = ? AND state = ? AND replied_at IS NULL"+
		" AND sent_at IS NOT NULL AND sent_at <= ? AND sent_at > ? RETURNING broadcast_id",
		t.UTC(), contactID, DeliverySent, t.UTC(), t.Add(-ReplyWindow).UTC()).Scan(&broadcasts).Error; err != nil {
		return fmt.Errorf("models: record the reply of contact %d: %w", contactID, err)
	}
	for _, id := range broadcasts {
		if err := tx.Model(&Broadcast{}).Where("id = ?", id).Update("replied_count", gorm.Expr("replied_count + 1")).Error; err != nil {
			return fmt.Errorf("models: count a reply to broadcast %d: %w", id, err)
		}
	}
	return nil
}

// recordUnsubscribe marks the broadcast messages sent to contactID in the
// 24 hours before t as followed by an unsubscribe (or a block), once
// each, and counts them on their broadcasts in the same transaction.
func recordUnsubscribe(tx *gorm.DB, contactID uint64, t time.Time) error {
	var broadcasts []uint
	if err := tx.Raw("UPDATE deliveries SET unsubscribed_at = ? WHERE contact_id = ? AND state = ? AND unsubscribed_at IS NULL"+
		" AND sent_at IS NOT NULL AND sent_at <= ? AND sent_at > ? RETURNING broadcast_id",
		t.UTC(), contactID, DeliverySent, t.UTC(), t.Add(-ReplyWindow).UTC()).Scan(&broadcasts).Error; err != nil {
		return fmt.Errorf("models: record the unsubscribe of contact %d: %w", contactID, err)
	}
	for _, id := range broadcasts {
		if err := tx.Model(&Broadcast{}).Where("id = ?", id).Update("unsubscribed_count", gorm.Expr("unsubscribed_count + 1")).Error; err != nil {
			return fmt.Errorf("models: count an unsubscribe after broadcast %d: %w", id, err)
		}
	}
	return nil
}
