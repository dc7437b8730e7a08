package models

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Actor is who did something: a signed-in user, an API token (on behalf
// of its owner), or omnicast itself (zero value: the scheduler, the
// dispatcher).
type Actor struct {
	UserID  uint
	TokenID uint
}

// AuditEntry records who changed what, when: broadcast creates, edits,
// confirmations, cancels, pauses, resumes, retries and sends; channel
// locks and unlocks.
type AuditEntry struct {
	ID          uint64 `gorm:"primaryKey"`
	BroadcastID *uint  `gorm:"index"`
	ChannelID   *uint  `gorm:"index"`
	UserID      *uint
	TokenID     *uint
	Action      string `gorm:"size:40;not null"`
	// Diff is a JSON object: field → [old, new]; or details of the action.
	Diff string    `gorm:"not null;default:'{}'"`
	At   time.Time `gorm:"not null;index"`
}

// FieldChange is one changed field of an audited edit.
type FieldChange struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// Audit writes an entry, inside the caller's transaction so that it
// exists exactly when the change does.
func Audit(tx *gorm.DB, who Actor, e AuditEntry, now time.Time) error {
	if who.UserID != 0 {
		e.UserID = &who.UserID
	}
	if who.TokenID != 0 {
		e.TokenID = &who.TokenID
	}
	if e.Diff == "" {
		e.Diff = "{}"
	}
	e.At = now.UTC()
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("models: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditDiff encodes changed fields for AuditEntry.Diff.
func AuditDiff(changes map[string]FieldChange) string {
	b, err := json.Marshal(changes)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// ListAudit returns a broadcast's entries, oldest first.
func ListAudit(db *gorm.DB, broadcastID uint) ([]AuditEntry, error) {
	var out []AuditEntry
	if err := db.Where("broadcast_id = ?", broadcastID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: audit of broadcast %d: %w", broadcastID, err)
	}
	return out, nil
}

// AuditChangeLines lists an entry's field changes as "field: old → new",
// sorted by field; details that are not field changes are listed as
// "key: value".
func AuditChangeLines(diff string) []string {
	var raw map[string]json.RawMessage
	if json.Unmarshal([]byte(diff), &raw) != nil || len(raw) == 0 {
		return nil
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		var ch FieldChange
		if err := json.Unmarshal(raw[k], &ch); err == nil && (ch.Old != nil || ch.New != nil) {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, auditValue(ch.Old), auditValue(ch.New)))
			continue
		}
		out = append(out, k+": "+auditValue(json.RawMessage(raw[k])))
	}
	return out
}

// auditValue shows one value of a change, briefly.
func auditValue(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		s = "—"
	case string:
		s = v
	case json.RawMessage:
		s = string(v)
	default:
		b, _ := json.Marshal(v)
		s = string(b)
	}
	return TruncateRunes(s, 120)
}
