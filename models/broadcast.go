package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Broadcast statuses. A broadcast moves draft → preparing (confirmed: its
// audience is being frozen into deliveries) → scheduled → sending ⇄
// paused → done; a draft or a scheduled broadcast can be cancelled; a
// scheduled one whose time passed while omnicast was down for too long is
// missed, and staff then send or cancel it. Every move is one conditional
// UPDATE (see moveBroadcast): the row, not a timer or an instance, decides.
const (
	BroadcastDraft     = "draft"
	BroadcastPreparing = "preparing"
	BroadcastScheduled = "scheduled"
	BroadcastSending   = "sending"
	BroadcastPaused    = "paused"
	BroadcastDone      = "done"
	BroadcastCancelled = "cancelled"
	BroadcastMissed    = "missed"
)

// BroadcastStatuses lists the statuses in lifecycle order.
func BroadcastStatuses() []string {
	return []string{BroadcastDraft, BroadcastPreparing, BroadcastScheduled, BroadcastSending, BroadcastPaused,
		BroadcastDone, BroadcastCancelled, BroadcastMissed}
}

// Messenger message tags of a broadcast ("" on other channels). Standard
// messages reach only people inside the 24-hour window and may promote;
// the three tags reach everyone and must not.
const (
	TagStandard      = "standard"
	TagEventUpdate   = "event_update"
	TagPostPurchase  = "post_purchase_update"
	TagAccountUpdate = "account_update"
)

// Limits of a broadcast's own fields.
const (
	MaxSubjectRunes = 100 // 主題
	MaxApplyTags    = 20  // tags put on the recipients
)

// MessageTags lists the Messenger message tags in the composer's order.
func MessageTags() []string {
	return []string{TagStandard, TagEventUpdate, TagPostPurchase, TagAccountUpdate}
}

// IsTagged tells whether a message tag lets a broadcast reach people
// outside the 24-hour window (and so forbids promotional content).
func IsTagged(tag string) bool {
	return tag == TagEventUpdate || tag == TagPostPurchase || tag == TagAccountUpdate
}

// Broadcast methods: how it was created.
const (
	MethodManual = "manual" // 後台推播: the composer
	MethodAPI    = "api"    // API推播: the JSON API
)

// Broadcast is one message sent to a frozen audience of one channel.
type Broadcast struct {
	ID        uint   `gorm:"primaryKey"`
	ChannelID uint   `gorm:"not null;index"`
	Subject   string `gorm:"size:100;not null"`
	// MessageTag is one of MessageTags on Messenger, "" elsewhere.
	MessageTag string `gorm:"size:32;not null;default:''"`
	// SendNow: 即時 (sent as soon as it is confirmed) rather than 排程推送.
	SendNow     bool       `gorm:"not null;default:false"`
	ScheduledAt *time.Time `gorm:"index"`
	Status      string     `gorm:"size:16;not null;index"`
	// ApplyTags are tag names put on each recipient when their message is
	// sent (JSON array).
	ApplyTags string `gorm:"not null;default:'[]'"`
	// Content is the BroadcastContent as composed (JSON): references to
	// uploads and bot modules, resolved when sending starts.
	Content string `gorm:"not null;default:'{}'"`
	// SentContent is the content resolved at the moment sending started
	// (JSON channels.Content): what went out, whatever is edited later.
	SentContent string `gorm:"not null;default:''"`
	// The audience: the saved selection it was composed for, and at
	// confirmation its conditions in words' source (the filter's query
	// string, in its time zone) for the report's "send again".
	AudienceID       *uint  `gorm:"index"`
	AudienceFilter   string `gorm:"not null;default:''"`
	AudienceTimezone string `gorm:"size:64;not null;default:''"`
	AudienceAll      bool   `gorm:"not null;default:false"`
	Method           string `gorm:"size:8;not null;default:'manual'"`
	CreatedBy        uint   `gorm:"not null"`
	UpdatedBy        uint   `gorm:"not null"`
	ConfirmedBy      *uint
	ConfirmedAt      *time.Time
	StartedAt        *time.Time
	FinishedAt       *time.Time
	// Version counts the saved changes: an edit names the version it was
	// made on and is refused when another was saved in between.
	Version int `gorm:"not null;default:1"`
	// PauseReason says why sending stopped by itself (a token error, the
	// circuit breaker, the database gone); empty when staff paused.
	PauseReason string `gorm:"size:500;not null;default:''"`
	// Counters, changed in the same transaction as the deliveries they
	// count, so no page counts a million rows to show them.
	AudienceCount  int64 `gorm:"not null;default:0"`
	FrozenCount    int64 `gorm:"not null;default:0"` // deliveries written so far (freeze progress)
	PendingCount   int64 `gorm:"not null;default:0"`
	SentCount      int64 `gorm:"not null;default:0"`
	DeliveredCount int64 `gorm:"not null;default:0"`
	ReadCount      int64 `gorm:"not null;default:0"`
	FailedCount    int64 `gorm:"not null;default:0"`
	SkippedCount   int64 `gorm:"not null;default:0"`
	UncertainCount int64 `gorm:"not null;default:0"`
	ClickedCount   int64 `gorm:"not null;default:0"`
	RepliedCount   int64 `gorm:"not null;default:0"`
	// UnsubscribedCount: recipients who unsubscribed or blocked within
	// 24 hours of their message.
	UnsubscribedCount int64 `gorm:"not null;default:0"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Editable tells whether the broadcast's content may still change:
// until sending starts.
func (b *Broadcast) Editable() bool {
	switch b.Status {
	case BroadcastDraft, BroadcastScheduled, BroadcastMissed:
		return true
	}
	return false
}

// Tags returns ApplyTags as a list.
func (b *Broadcast) Tags() []string {
	var out []string
	_ = json.Unmarshal([]byte(b.ApplyTags), &out)
	return out
}

// Spec returns the composed content.
func (b *Broadcast) Spec() (BroadcastContent, error) {
	var c BroadcastContent
	if b.Content == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(b.Content), &c); err != nil {
		return c, fmt.Errorf("models: broadcast %d content: %w", b.ID, err)
	}
	return c, nil
}

// Errors of broadcast state moves (catalogue ids; the API's codes are the
// part after "error.").
var (
	ErrBroadcastStarted   = errors.New("error.broadcast_started")   // edit after sending started
	ErrBroadcastStale     = errors.New("error.broadcast_stale")     // saved on an old version
	ErrBroadcastState     = errors.New("error.broadcast_state")     // not in a state that allows this
	ErrBroadcastForbidden = errors.New("error.broadcast_forbidden") // not yours to change
)

// FindBroadcast loads a broadcast by id.
func FindBroadcast(db *gorm.DB, id uint) (*Broadcast, error) {
	var b Broadcast
	err := db.First(&b, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load broadcast %d: %w", id, err)
	}
	return &b, nil
}

// moveBroadcast moves broadcast id from one of the states from to state
// to, setting the extra columns, in one conditional UPDATE inside tx: it
// tells whether this call made the move (false: another did first, or
// the broadcast is elsewhere). The version goes up with every move.
func moveBroadcast(tx *gorm.DB, id uint, from []string, to string, set map[string]any, now time.Time) (bool, error) {
	updates := map[string]any{"status": to, "updated_at": now.UTC(), "version": gorm.Expr("version + 1")}
	for k, v := range set {
		updates[k] = v
	}
	res := tx.Model(&Broadcast{}).Where("id = ? AND status IN ?", id, from).Updates(updates)
	if res.Error != nil {
		return false, fmt.Errorf("models: move broadcast %d to %s: %w", id, to, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// MoveBroadcast is moveBroadcast for callers outside a transaction, with
// an audit entry in the same transaction when the move happens.
func MoveBroadcast(db *gorm.DB, id uint, from []string, to string, set map[string]any, who Actor, now time.Time) (bool, error) {
	moved := false
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		moved, err = moveBroadcast(tx, id, from, to, set, now)
		if err != nil || !moved {
			return err
		}
		return Audit(tx, who, AuditEntry{BroadcastID: &id, Action: "status:" + to}, now)
	})
	return moved, err
}
