package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrTagBroadcastLocked refuses a tagged broadcast on a channel whose
// tagged broadcasting is locked (the composer's and the API's code
// tag_broadcast_locked).
var ErrTagBroadcastLocked = errors.New("error.tag_broadcast_locked")

// Tag lock reasons (stored in channels.tag_lock_reason, worded by the
// i18n key promo.lock_reason.<reason>).
const (
	// LockPromotional: promotional content was confirmed under a message tag.
	LockPromotional = "promotional_content"
)

// Audit actions of the tag lock.
const (
	AuditTagLock   = "tag_lock"
	AuditTagUnlock = "tag_unlock"
)

// MaxTagLockTextRunes bounds the offending text kept on the channel.
const MaxTagLockTextRunes = 2000

// CheckTagLock refuses a tagged broadcast (IsTagged) on a locked channel;
// standard messages always pass.
func CheckTagLock(ch *Channel, messageTag string) error {
	if ch.TagBroadcastLocked && IsTagged(messageTag) {
		return ErrTagBroadcastLocked
	}
	return nil
}

// LockTaggedBroadcasts locks a channel's tagged broadcasting, keeping the
// reason and the offending text, and audits it, in one transaction. The
// reference product locks a Page that tried to send promotion under a tag
// to protect it; so does omnicast. A channel already locked keeps its first
// lock (its reason is what the admin reviews) and nothing is written.
func LockTaggedBroadcasts(db *gorm.DB, channelID uint, reason, text string, who Actor, now time.Time) error {
	text = TruncateRunes(text, MaxTagLockTextRunes)
	return db.Transaction(func(tx *gorm.DB) error {
		if err := channelExists(tx, channelID); err != nil {
			return err
		}
		updates := map[string]any{
			"tag_broadcast_locked": true, "tag_lock_reason": TruncateRunes(reason, 255), "tag_lock_text": text,
			"tag_locked_at": now.UTC(), "tag_locked_by": userOf(who), "updated_at": now.UTC(),
		}
		// Conditional: of two confirmations at once, one locks.
		res := tx.Model(&Channel{}).Where("id = ? AND tag_broadcast_locked = ?", channelID, false).Updates(updates)
		if res.Error != nil {
			return fmt.Errorf("models: lock tagged broadcasts of channel %d: %w", channelID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		diff := AuditDiff(map[string]FieldChange{
			"tag_broadcast_locked": {Old: false, New: true},
			"tag_lock_reason":      {Old: "", New: reason},
			"tag_lock_text":        {Old: "", New: text},
		})
		return Audit(tx, who, AuditEntry{ChannelID: &channelID, Action: AuditTagLock, Diff: diff}, now)
	})
}

// UnlockTaggedBroadcasts lifts a channel's tag lock after review and
// audits it (the entry keeps what the lock said). A channel that is not
// locked is left alone, without an entry.
func UnlockTaggedBroadcasts(db *gorm.DB, channelID uint, who Actor, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var ch Channel
		err := tx.Select("id", "tag_broadcast_locked", "tag_lock_reason", "tag_lock_text").First(&ch, channelID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("models: unlock tagged broadcasts of channel %d: %w", channelID, err)
		}
		updates := map[string]any{
			"tag_broadcast_locked": false, "tag_lock_reason": "", "tag_lock_text": "",
			"tag_locked_at": nil, "tag_locked_by": nil, "updated_at": now.UTC(),
		}
		res := tx.Model(&Channel{}).Where("id = ? AND tag_broadcast_locked = ?", channelID, true).Updates(updates)
		if res.Error != nil {
			return fmt.Errorf("models: unlock tagged broadcasts of channel %d: %w", channelID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		diff := AuditDiff(map[string]FieldChange{
			"tag_broadcast_locked": {Old: true, New: false},
			"tag_lock_reason":      {Old: ch.TagLockReason, New: ""},
			"tag_lock_text":        {Old: ch.TagLockText, New: ""},
		})
		return Audit(tx, who, AuditEntry{ChannelID: &channelID, Action: AuditTagUnlock, Diff: diff}, now)
	})
}

// ListChannelAudit returns a channel's own entries (locks, unlocks),
// oldest first.
func ListChannelAudit(db *gorm.DB, channelID uint) ([]AuditEntry, error) {
	var out []AuditEntry
	if err := db.Where("channel_id = ? AND broadcast_id IS NULL", channelID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: audit of channel %d: %w", channelID, err)
	}
	return out, nil
}

// channelExists answers ErrNotFound for a missing channel.
func channelExists(tx *gorm.DB, channelID uint) error {
	var n int64
	if err := tx.Model(&Channel{}).Where("id = ?", channelID).Count(&n).Error; err != nil {
		return fmt.Errorf("models: find channel %d: %w", channelID, err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// userOf is the user an actor acts as (an API token acts for its owner,
// whose id the caller puts in UserID), nil for omnicast itself.
func userOf(who Actor) *uint {
	if who.UserID == 0 {
		return nil
	}
	id := who.UserID
	return &id
}
