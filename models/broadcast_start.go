package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
)

// DefaultMaxLateness is how late a scheduled broadcast may still start
// when omnicast comes back up (OMNICAST_MAX_LATENESS): past it, staff
// decide (the broadcast is marked missed), because a sale announced
// hours after it began can do more harm than good.
const DefaultMaxLateness = time.Hour

// ScheduledRef is a scheduled broadcast and when it goes out.
type ScheduledRef struct {
	ID          uint
	ScheduledAt time.Time
}

// ScheduledBroadcasts lists every scheduled broadcast with its time,
// soonest first: the scheduler registers one one-time job for each.
func ScheduledBroadcasts(db *gorm.DB) ([]ScheduledRef, error) {
	var rows []struct {
		ID          uint
		ScheduledAt *time.Time
	}
	if err := db.Model(&Broadcast{}).Select("id, scheduled_at").Where("status = ?", BroadcastScheduled).
		Order("scheduled_at, id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: list scheduled broadcasts: %w", err)
	}
	out := make([]ScheduledRef, 0, len(rows))
	for _, r := range rows {
		at := time.Time{} // no time: due at once
		if r.ScheduledAt != nil {
			at = r.ScheduledAt.UTC()
		}
		out = append(out, ScheduledRef{ID: r.ID, ScheduledAt: at})
	}
	return out, nil
}

// Results of StartDue.
const (
	StartStarted = "started" // moved to sending by this call
	StartMissed  = "missed"  // too late: marked missed for staff to decide
	StartNotDue  = "not_due" // its time has not come (it was moved later)
	StartNoop    = "noop"    // no longer scheduled (cancelled, started elsewhere)
)

// StartDue starts scheduled broadcast id if its time has come (now ≥
// scheduled_at), or marks it missed when it is more than maxLate past
// its time (maxLate ≤ 0: never missed). The scheduler's trigger, the boot
// pass and a second instance all call it: the conditional UPDATE inside
// decides which of them sends.
func StartDue(db *gorm.DB, id uint, now time.Time, maxLate time.Duration, publicURL string) (string, error) {
	b, err := FindBroadcast(db, id)
	if errors.Is(err, ErrNotFound) {
		return StartNoop, nil
	}
	if err != nil {
		return "", err
	}
	if b.Status != BroadcastScheduled {
		return StartNoop, nil
	}
	if b.ScheduledAt != nil && now.Before(*b.ScheduledAt) {
		return StartNotDue, nil
	}
	if maxLate > 0 && b.ScheduledAt != nil && now.Sub(*b.ScheduledAt) > maxLate {
		moved, err := MarkMissed(db, id, now)
		if err != nil || !moved {
			return StartNoop, err
		}
		return StartMissed, nil
	}
	started, err := StartSending(db, id, now, publicURL)
	if err != nil || !started {
		return StartNoop, err
	}
	return StartStarted, nil
}

// MarkMissed moves a scheduled broadcast whose time passed too long ago
// to missed, audited as omnicast's own decision.
func MarkMissed(db *gorm.DB, id uint, now time.Time) (bool, error) {
	return MoveBroadcast(db, id, []string{BroadcastScheduled}, BroadcastMissed, nil, Actor{}, now)
}

// StartSending moves broadcast id from scheduled to sending in one
// conditional UPDATE that also stores sent_content: the content resolved
// at this moment (uploads to image URLs, modules to cards). Edits saved
// before it go out; edits after it are refused (Editable). It tells
// whether this call made the move; false means another trigger or
// instance did, or the broadcast was cancelled — harmless either way.
func StartSending(db *gorm.DB, id uint, now time.Time, publicURL string) (bool, error) {
	moved := false
	err := db.Transaction(func(tx *gorm.DB) error {
		b, err := FindBroadcast(tx, id)
		if err != nil {
			return err
		}
		if b.Status != BroadcastScheduled {
			return nil
		}
		content, err := ResolveBroadcastContent(tx, b, publicURL)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(content)
		if err != nil {
			return fmt.Errorf("models: encode sent content of broadcast %d: %w", id, err)
		}
		// The version is in the condition: an edit committed after the
		// content was read makes this start fail, and the next trigger
		// reads the edit.
		res := tx.Model(&Broadcast{}).Where("id = ? AND status = ? AND version = ?", id, BroadcastScheduled, b.Version).
			Updates(map[string]any{"status": BroadcastSending, "sent_content": string(raw), "started_at": now.UTC(),
				"pause_reason": "", "updated_at": now.UTC(), "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return fmt.Errorf("models: start broadcast %d: %w", id, res.Error)
		}
		if moved = res.RowsAffected == 1; !moved {
			return nil
		}
		return Audit(tx, Actor{}, AuditEntry{BroadcastID: &id, Action: "status:" + BroadcastSending}, now)
	})
	return moved, err
}

// ResolveBroadcastContent resolves a broadcast's composed content into
// what is sent: texts as they are, uploads to their URLs under publicURL,
// bot modules to their cards, a WhatsApp template to its fill.
func ResolveBroadcastContent(db *gorm.DB, b *Broadcast, publicURL string) (channels.Content, error) {
	spec, err := b.Spec()
	if err != nil {
		return channels.Content{}, err
	}
	var out channels.Content
	for i, m := range spec.Messages {
		switch m.Type {
		case MessageText:
			out.Parts = append(out.Parts, channels.Part{Kind: channels.PartText, Text: m.Text})
		case MessageImage:
			u, err := FindUpload(db, m.UploadID)
			if err != nil {
				return out, fmt.Errorf("models: broadcast %d message %d: upload %d: %w", b.ID, i, m.UploadID, err)
			}
			img := u.Image(publicURL)
			out.Parts = append(out.Parts, channels.Part{Kind: channels.PartImage, Image: &img})
		case MessageBotCard:
			card, err := resolveSentCard(db, m.BotModuleID, publicURL)
			if err != nil {
				return out, fmt.Errorf("models: broadcast %d message %d: bot module %d: %w", b.ID, i, m.BotModuleID, err)
			}
			out.Parts = append(out.Parts, channels.Part{Kind: channels.PartBotCard, Card: card, ModuleID: m.BotModuleID})
		default:
			return out, fmt.Errorf("models: broadcast %d message %d: unknown type %q", b.ID, i, m.Type)
		}
	}
	if t := spec.Template; t != nil {
		out.Template = templateFill(*t)
	}
	return out, nil
}

// SentContentOf decodes what a sending broadcast sends.
func SentContentOf(b *Broadcast) (channels.Content, error) {
	var c channels.Content
	if b.SentContent == "" {
		return c, fmt.Errorf("models: broadcast %d has no sent content", b.ID)
	}
	if err := json.Unmarshal([]byte(b.SentContent), &c); err != nil {
		return c, fmt.Errorf("models: broadcast %d sent content: %w", b.ID, err)
	}
	return c, nil
}
