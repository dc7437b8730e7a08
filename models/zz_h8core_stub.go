package models

// STAND-IN for helper core's contract (DESIGN-ISSUE8.md, branch h8-core):
// the composer screens are built against these names until h8-core lands.
// DELETE THIS FILE when h8-core is merged; nothing here is the real rule set.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
)

// AudienceSpec names who a draft goes to.
type AudienceSpec struct {
	AudienceID  *uint
	ExternalIDs []string
	Filter      string
}

// Draft is a broadcast as composed.
type Draft struct {
	ChannelID   uint
	Subject     string
	MessageTag  string
	SendNow     bool
	ScheduledAt *time.Time
	ApplyTags   []string
	Content     BroadcastContent
	Audience    AudienceSpec
}

// FieldError is one refused field.
type FieldError struct {
	Field string
	Code  string
	Args  map[string]any
}

// ValidateEnv is what validation needs besides the draft.
type ValidateEnv struct {
	Now        time.Time
	PublicURL  string
	Confirming bool
}

// Checked is a validated draft's resolved content.
type Checked struct {
	Channel *Channel
	Content channels.Content
}

// Figures are the confirmation's numbers.
type Figures struct {
	Audience         int64
	Sendable         int64
	Skipped          map[string]int64
	LineQuotaNeeded  int64
	LineQuotaRemain  *int64
	Multicast        bool
	EstimatedSeconds int64
}

// SaveDraft stores a draft (stand-in).
func SaveDraft(db *gorm.DB, d Draft, id uint, version int, who Actor, method string, now time.Time) (*Broadcast, error) {
	content, _ := json.Marshal(d.Content)
	tags, _ := json.Marshal(d.ApplyTags)
	if d.ApplyTags == nil {
		tags = []byte("[]")
	}
	b := &Broadcast{}
	if id != 0 {
		var err error
		if b, err = FindBroadcast(db, id); err != nil {
			return nil, err
		}
		if b.Version != version {
			return nil, ErrBroadcastStale
		}
		if !b.Editable() {
			return nil, ErrBroadcastStarted
		}
		b.Version++
	} else {
		b.Status, b.CreatedBy, b.Method, b.Version = BroadcastDraft, who.UserID, method, 1
	}
	b.ChannelID, b.Subject, b.MessageTag, b.SendNow, b.ScheduledAt = d.ChannelID, d.Subject, d.MessageTag, d.SendNow, d.ScheduledAt
	b.ApplyTags, b.Content, b.AudienceID, b.AudienceFilter, b.UpdatedBy = string(tags), string(content), d.Audience.AudienceID, d.Audience.Filter, who.UserID
	if err := db.Save(b).Error; err != nil {
		return nil, fmt.Errorf("models: save draft: %w", err)
	}
	return b, nil
}

// ValidateDraft checks a draft (stand-in: a few rules only).
func ValidateDraft(db *gorm.DB, d Draft, env ValidateEnv) (Checked, []FieldError) {
	var errs []FieldError
	ch, err := FindChannel(db, d.ChannelID)
	if err != nil {
		return Checked{}, []FieldError{{Field: "channel_id", Code: "channel_not_found"}}
	}
	out := Checked{Channel: ch}
	if s := strings.TrimSpace(d.Subject); s == "" {
		errs = append(errs, FieldError{Field: "subject", Code: "subject_required"})
	} else if channels.Runes(s) > MaxSubjectRunes {
		errs = append(errs, FieldError{Field: "subject", Code: "subject_too_long", Args: map[string]any{"Max": MaxSubjectRunes}})
	}
	if !d.SendNow && (d.ScheduledAt == nil || !d.ScheduledAt.After(env.Now)) {
		errs = append(errs, FieldError{Field: "scheduled_at", Code: "scheduled_in_past"})
	}
	if ch.Kind == channels.KindWhatsApp {
		if d.Content.Template == nil || d.Content.Template.Name == "" {
			errs = append(errs, FieldError{Field: "template", Code: "template_required"})
		}
		return out, errs
	}
	if len(d.Content.Messages) == 0 {
		errs = append(errs, FieldError{Field: "messages", Code: "messages_required"})
	}
	for i, m := range d.Content.Messages {
		if m.Type == MessageText {
			if strings.TrimSpace(m.Text) == "" {
				errs = append(errs, FieldError{Field: fmt.Sprintf("messages[%d].text", i), Code: "text_required"})
			}
			out.Content.Parts = append(out.Content.Parts, channels.Part{Kind: channels.PartText, Text: m.Text})
		}
	}
	return out, errs
}

// ConfirmationFigures counts the audience (stand-in: everyone sendable).
func ConfirmationFigures(db *gorm.DB, b *Broadcast, quota func() (int64, bool), now time.Time) (Figures, error) {
	f := Figures{Skipped: map[string]int64{}}
	if b.AudienceID != nil {
		a, err := FindAudience(db, *b.AudienceID)
		if err != nil {
			return f, err
		}
		f.Audience, f.Sendable = a.Count, a.Count
	}
	f.LineQuotaNeeded = f.Sendable
	if quota != nil {
		if r, ok := quota(); ok {
			f.LineQuotaRemain = &r
		}
	}
	return f, nil
}

// ConfirmBroadcast confirms a draft (stand-in).
func ConfirmBroadcast(db *gorm.DB, id uint, version int, who Actor, now time.Time) (*Broadcast, []FieldError, error) {
	b, err := FindBroadcast(db, id)
	if err != nil {
		return nil, nil, err
	}
	if b.Version != version {
		return nil, nil, ErrBroadcastStale
	}
	moved, err := MoveBroadcast(db, id, []string{BroadcastDraft}, BroadcastScheduled, map[string]any{"confirmed_by": who.UserID, "confirmed_at": now.UTC()}, who, now)
	if err != nil {
		return nil, nil, err
	}
	if !moved {
		return nil, nil, errors.New("error.broadcast_state")
	}
	b, err = FindBroadcast(db, id)
	return b, nil, err
}
