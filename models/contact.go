package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Contact is a person who follows or messages a connected account. The
// external id (PSID, IGSID, LINE userId, wa_id) is unique per channel.
// Its indexes are created by migrations (0005: keyset indexes that also
// carry subscribed); the tags here only name them.
type Contact struct {
	ID                uint64     `gorm:"primaryKey"`
	ChannelID         uint       `gorm:"not null;uniqueIndex:idx_contacts_channel_external,priority:1;index:idx_contacts_interaction_keyset,priority:1;index:idx_contacts_subscription_keyset,priority:1"`
	ExternalID        string     `gorm:"size:64;not null;uniqueIndex:idx_contacts_channel_external,priority:2"`
	Name              string     `gorm:"size:200;not null;default:''"`
	PictureURL        string     `gorm:"size:1000;not null;default:''"`
	Phone             string     `gorm:"size:32;not null;default:''"`
	Subscribed        bool       `gorm:"not null;default:true"`
	SubscribedAt      *time.Time `gorm:"index:idx_contacts_subscription_keyset,priority:2"`
	UnsubscribedAt    *time.Time
	LastInteractionAt *time.Time `gorm:"index:idx_contacts_interaction_keyset,priority:2"`
	// Tester puts the contact on the channel's test list: test sends go to
	// testers, and broadcasts skip them.
	Tester    bool `gorm:"not null;default:false"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ErrContactUnreadable is returned for a contact whose stored row holds a
// value that cannot be read back (see contact_read.go).
var ErrContactUnreadable = errors.New("models: contact row unreadable")

// FindContact loads a contact by channel and external id. A row that
// cannot be read back gives ErrContactUnreadable.
func FindContact(db *gorm.DB, channelID uint, externalID string) (*Contact, error) {
	r, err := findContactRead(db, channelID, externalID)
	if err != nil {
		return nil, err
	}
	if !r.readable() {
		return nil, fmt.Errorf("models: contact %d of channel %d, columns %v: %w", r.ID, channelID, r.unreadable, ErrContactUnreadable)
	}
	return &r.Contact, nil
}

// findContactRead loads a contact by channel and external id, readable or
// not.
func findContactRead(db *gorm.DB, channelID uint, externalID string) (*contactRead, error) {
	rows, err := readContacts(db.Model(&Contact{}).Where("channel_id = ? AND external_id = ?", channelID, externalID).Limit(1))
	if err != nil {
		return nil, fmt.Errorf("models: load contact %q of channel %d: %w", externalID, channelID, err)
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// ContactWithTags is a contact and the names of its tags.
type ContactWithTags struct {
	Contact
	Tags []string
}

// ContactBatch is one batch of a channel's contacts in id order.
type ContactBatch struct {
	Contacts []ContactWithTags
	// Skipped counts rows that could not be read back, left out and logged.
	Skipped int
	// Next is the id to continue after; 0 when the list is done.
	Next uint64
}

// ListContactsWithTags returns a channel's contacts in id order, a batch
// of up to limit rows at a time (keyset on id: start with afterID 0, go on
// with Next), with their tag names. Unreadable rows are left out.
func ListContactsWithTags(db *gorm.DB, channelID uint, afterID uint64, limit int) (ContactBatch, error) {
	var batch ContactBatch
	rows, err := readContacts(db.Model(&Contact{}).Where("channel_id = ? AND id > ?", channelID, afterID).Order("id").Limit(limit))
	if err != nil {
		return batch, fmt.Errorf("models: list contacts of channel %d: %w", channelID, err)
	}
	if len(rows) == limit && limit > 0 {
		batch.Next = rows[len(rows)-1].ID
	}
	contacts, skipped := readableContacts(rows, "contacts list")
	batch.Skipped = skipped
	ids := make([]uint64, len(contacts))
	for i, c := range contacts {
		ids[i] = c.ID
	}
	tags, err := TagNamesByContact(db, ids)
	if err != nil {
		return batch, err
	}
	batch.Contacts = make([]ContactWithTags, len(contacts))
	for i, c := range contacts {
		batch.Contacts[i] = ContactWithTags{Contact: c, Tags: tags[c.ID]}
	}
	return batch, nil
}

// SetContactSubscribed unsubscribes (no more broadcasts) or resubscribes a contact.
func SetContactSubscribed(db *gorm.DB, channelID uint, id uint64, subscribed bool, now time.Time) error {
	updates := map[string]any{"subscribed": subscribed}
	if subscribed {
		updates["unsubscribed_at"] = nil
	} else {
		updates["unsubscribed_at"] = now.UTC()
	}
	res := db.Model(&Contact{}).Where("id = ? AND channel_id = ?", id, channelID).Updates(updates)
	if res.Error != nil {
		return fmt.Errorf("models: set subscribed=%v on contact %d: %w", subscribed, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteContact removes a contact and its tags for good.
func DeleteContact(db *gorm.DB, channelID uint, id uint64) error {
	return db.Transaction(func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND channel_id = ?", id, channelID).Delete(&Contact{})
		if res.Error != nil {
			return fmt.Errorf("models: delete contact %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return tx.Where("contact_id = ?", id).Delete(&ContactTag{}).Error
	})
}

// SetContactTags replaces a contact's tags with the named ones.
func SetContactTags(db *gorm.DB, channelID uint, id uint64, names []string) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Contact{}).Where("id = ? AND channel_id = ?", id, channelID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		tags, err := EnsureTags(tx, names)
		if err != nil {
			return err
		}
		if err := tx.Where("contact_id = ?", id).Delete(&ContactTag{}).Error; err != nil {
			return err
		}
		return TagContacts(tx, []uint64{id}, tags)
	})
}

// UntagContacts removes tags from the given contacts.
func UntagContacts(db *gorm.DB, ids []uint64, tags []Tag) error {
	if len(ids) == 0 || len(tags) == 0 {
		return nil
	}
	tagIDs := make([]uint, len(tags))
	for i, t := range tags {
		tagIDs[i] = t.ID
	}
	if err := db.Where("contact_id IN ? AND tag_id IN ?", ids, tagIDs).Delete(&ContactTag{}).Error; err != nil {
		return fmt.Errorf("models: untag contacts: %w", err)
	}
	return nil
}

// ContactIDsOfChannel keeps, in id order, only the ids that are contacts of
// the channel, so a posted selection cannot reach another account.
func ContactIDsOfChannel(db *gorm.DB, channelID uint, ids []uint64) ([]uint64, error) {
	var valid []uint64
	if len(ids) == 0 {
		return nil, nil
	}
	err := db.Model(&Contact{}).Where("channel_id = ? AND id IN ?", channelID, ids).Order("id").Pluck("id", &valid).Error
	if err != nil {
		return nil, fmt.Errorf("models: check contacts of channel %d: %w", channelID, err)
	}
	return valid, nil
}
