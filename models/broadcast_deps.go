package models

// TEMPORARY ADAPTER (helper core, issue 8) — delete piece by piece as the
// other helpers' work reaches main:
//   - helper bots:  fit.Content, FindBotModule, (*BotModule).Card
//   - helper promo: messenger.CheckPromotion / IsPromotional / PromoHit,
//     LockTaggedBroadcasts, ErrTagBroadcastLocked
// Everything in this file is unexported (or an alias), so the real
// definitions never collide with it: only the bodies below change.

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
)

// PromoHit is one promotional phrase found in a text (becomes an alias of
// messenger.PromoHit).
type PromoHit struct {
	Rule     string
	Severity int
	Text     int
	Start    int
	End      int
	Match    string
}

// errDepMissing marks what another helper still has to land.
var errDepMissing = errors.New("models: not available yet")

// fitContent: fit.Content (helper bots). Until it lands, nothing is
// refused by fit (text lengths are checked by ValidateDraft itself).
func fitContent(kind string, c channels.Content) []channels.Problem { return nil }

// checkPromotion: messenger.CheckPromotion + IsPromotional (helper promo).
func checkPromotion(texts []string) (hits []PromoHit, promotional bool) { return nil, false }

// lockTaggedBroadcasts: LockTaggedBroadcasts (helper promo). Until it
// lands, the existing channel columns carry the lock.
func lockTaggedBroadcasts(db *gorm.DB, channelID uint, reason, text string, who Actor, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Channel{}).Where("id = ?", channelID).
			Updates(map[string]any{"tag_broadcast_locked": true, "lock_reason": TruncateRunes(reason, 255)}).Error; err != nil {
			return fmt.Errorf("models: lock tagged broadcasts of channel %d: %w", channelID, err)
		}
		return Audit(tx, who, AuditEntry{ChannelID: &channelID, Action: "tag_lock", Diff: AuditDiff(map[string]FieldChange{"text": {New: text}})}, now)
	})
}

// resolveBotCard: FindBotModule + (*BotModule).Card (helper bots).
func resolveBotCard(db *gorm.DB, id uint, publicURL string) (*channels.Card, error) {
	return nil, ErrNotFound
}

// fitCard: fit.Card (helper bots).
func fitCard(kind string, card channels.Card) []channels.Problem { return nil }
