package models

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Cohorts of a broadcast's audience, each the start of a new broadcast.
const (
	CohortNotDelivered = "not_delivered" // no delivery receipt: failed, skipped, uncertain, or sent but not delivered
	CohortUnread       = "unread"        // delivered but not read
	CohortClicked      = "clicked"       // tapped any button (or the given one)
	CohortNoReply      = "no_reply"      // sent, and did not reply
)

// Cohorts lists the cohorts in the page's order.
func Cohorts() []string {
	return []string{CohortNotDelivered, CohortUnread, CohortClicked, CohortNoReply}
}

// CohortSpec names a cohort; for CohortClicked, Module and Button (both
// set) narrow it to the people who tapped that button.
type CohortSpec struct {
	Cohort string
	Module uint
	Button *int
}

// CohortContactIDs returns the contact ids of broadcast b's cohort that
// are still contacts of its channel, in id order. It reads only b's
// deliveries (and taps).
func CohortContactIDs(db *gorm.DB, b *Broadcast, spec CohortSpec) ([]uint64, error) {
	q := db.Table("deliveries").Select("deliveries.contact_id").
		Joins("JOIN contacts ON contacts.id = deliveries.contact_id AND contacts.channel_id = ?", b.ChannelID).
		Where("deliveries.broadcast_id = ?", b.ID)
	switch spec.Cohort {
	case CohortNotDelivered:
		q = q.Where("deliveries.delivered_at IS NULL")
	case CohortUnread:
		q = q.Where("deliveries.delivered_at IS NOT NULL AND deliveries.read_at IS NULL")
	case CohortClicked:
		if spec.Button != nil {
			q = q.Where("deliveries.contact_id IN (SELECT contact_id FROM button_clickers WHERE broadcast_id = ? AND module_id = ? AND button = ?)",
				b.ID, spec.Module, *spec.Button)
		} else {
			q = q.Where("deliveries.clicked_at IS NOT NULL")
		}
	case CohortNoReply:
		q = q.Where("deliveries.state = ? AND deliveries.replied_at IS NULL", DeliverySent)
	default:
		return nil, fmt.Errorf("models: unknown cohort %q", spec.Cohort)
	}
	var ids []uint64
	if err := q.Order("deliveries.contact_id").Pluck("deliveries.contact_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: cohort %s of broadcast %d: %w", spec.Cohort, b.ID, err)
	}
	return ids, nil
}

// saveIDsAudience stores explicit contact ids (already checked to be the
// channel's) as an audience with their exact count.
func saveIDsAudience(db *gorm.DB, channelID uint, ids []uint64, userID uint, tz string, now time.Time) (*Audience, error) {
	if len(ids) == 0 {
		return nil, ErrAudienceEmpty
	}
	raw, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("models: encode audience: %w", err)
	}
	a := &Audience{ChannelID: channelID, ContactIDs: string(raw), Count: int64(len(ids)), Timezone: tz, CreatedBy: userID,
		CreatedAt: now.UTC()}
	if err := db.Create(a).Error; err != nil {
		return nil, fmt.Errorf("models: save audience: %w", err)
	}
	return a, nil
}

// SaveCohortAudience saves broadcast b's cohort as an audience (explicit
// contact ids, exact count) for a new broadcast.
func SaveCohortAudience(db *gorm.DB, b *Broadcast, spec CohortSpec, userID uint, now time.Time) (*Audience, error) {
	ids, err := CohortContactIDs(db, b, spec)
	if err != nil {
		return nil, err
	}
	return saveIDsAudience(db, b.ChannelID, ids, userID, "", now)
}

// SaveSendAgainAudience runs broadcast b's audience conditions again,
// now: its stored filter (in the time zone it was read in) counted today;
// or, when it went to explicit people, those people that are still
// contacts of its channel.
func SaveSendAgainAudience(db *gorm.DB, b *Broadcast, fallback *time.Location, userID uint, now time.Time) (*Audience, error) {
	if b.AudienceAll {
		stored := Audience{ChannelID: b.ChannelID, Filter: b.AudienceFilter, Timezone: b.AudienceTimezone}
		f, errs := stored.ContactFilter(fallback)
		if errs != nil {
			return nil, fmt.Errorf("models: stored filter of broadcast %d: %v", b.ID, errs)
		}
		return SaveAudience(db, f, nil, true, userID, now)
	}
	var ids []uint64
	if b.AudienceID != nil {
		a, err := FindAudience(db, *b.AudienceID)
		if err != nil {
			return nil, err
		}
		ids = a.IDs()
	}
	if len(ids) == 0 {
		// The frozen audience says who it went to.
		if err := db.Model(&Delivery{}).Where("broadcast_id = ?", b.ID).Order("contact_id").Pluck("contact_id", &ids).Error; err != nil {
			return nil, fmt.Errorf("models: audience of broadcast %d: %w", b.ID, err)
		}
	}
	valid, err := contactIDsOfChannelBatched(db, b.ChannelID, ids)
	if err != nil {
		return nil, err
	}
	return saveIDsAudience(db, b.ChannelID, valid, userID, b.AudienceTimezone, now)
}

// contactIDsOfChannelBatched is ContactIDsOfChannel a bounded batch of
// ids per query.
func contactIDsOfChannelBatched(db *gorm.DB, channelID uint, ids []uint64) ([]uint64, error) {
	var out []uint64
	for start := 0; start < len(ids); start += externalLookupBatch {
		part, err := ContactIDsOfChannel(db, channelID, ids[start:min(start+externalLookupBatch, len(ids))])
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// DuplicateBroadcast makes a new draft of broadcast b's content, message
// tag, tags and audience, by user who, audited as a create.
func DuplicateBroadcast(db *gorm.DB, b *Broadcast, who Actor, now time.Time) (*Broadcast, error) {
	now = now.UTC()
	d := &Broadcast{ChannelID: b.ChannelID, Subject: b.Subject, MessageTag: b.MessageTag, Status: BroadcastDraft, SendNow: true,
		ApplyTags: b.ApplyTags, Content: b.Content, AudienceID: b.AudienceID, AudienceFilter: b.AudienceFilter,
		AudienceTimezone: b.AudienceTimezone, AudienceAll: b.AudienceAll, Method: MethodManual, CreatedBy: who.UserID,
		UpdatedBy: who.UserID, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(d).Error; err != nil {
			return fmt.Errorf("models: duplicate broadcast %d: %w", b.ID, err)
		}
		return Audit(tx, who, AuditEntry{BroadcastID: &d.ID, Action: "create",
			Diff: AuditDiff(map[string]FieldChange{"copy_of": {New: b.ID}})}, now)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
