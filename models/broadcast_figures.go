package models

import (
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
)

// Figures are what staff see before confirming (下一步): how many people
// the audience holds, how many would get the message now, who would be
// skipped and why, the LINE quota it uses, whether LINE sends it by
// multicast, and how long sending takes at the channel's rate.
type Figures struct {
	Audience int64 `json:"audience"`
	Sendable int64 `json:"sendable"`
	// Skipped counts by reason (Skip* codes): unsubscribed, tester,
	// outside_window (Messenger standard messages; judged again at send
	// time), deleted (listed contacts gone since). Every reason that
	// applies to the broadcast is present, zero or not.
	Skipped          map[string]int64 `json:"skipped"`
	LINEQuota        *QuotaFigures    `json:"line_quota,omitempty"`
	Multicast        bool             `json:"multicast"`
	EstimatedSeconds int64            `json:"estimated_seconds"`
}

// QuotaFigures set a LINE broadcast against the month's quota: one
// message per recipient, whatever the number of bubbles.
type QuotaFigures struct {
	Needed int64 `json:"needed"`
	// Remaining is this month's quota left; nil when LINE did not say
	// (or the plan is unlimited).
	Remaining *int64 `json:"remaining"`
	Unlimited bool   `json:"unlimited,omitempty"`
	// Exceeds: the broadcast needs more than remains.
	Exceeds bool `json:"exceeds,omitempty"`
}

// LineQuota is a LINE channel's quota as the platform reported it.
type LineQuota struct {
	Remaining int64
	Unlimited bool
}

// QuotaFunc asks (or a cache answers) the remaining quota of a LINE
// channel; ok is false when it is not known.
type QuotaFunc func(ch *Channel) (q LineQuota, ok bool)

// Rates used for the expected sending time besides the channel's own.
const (
	lineMulticastPerRequest = 500 // recipients of one multicast call
	lineMulticastPerSecond  = 200 // multicast calls per second per channel
	// MessengerWindow is the customer-service window of a standard
	// message.
	MessengerWindow = 24 * time.Hour
)

// audienceCounts is one pass over the audience's contacts.
type audienceCounts struct {
	Total         int64
	Unsubscribed  int64
	Tester        int64
	OutsideWindow int64
}

// countAudience counts the audience and its known skips in one query.
// Each person counts under one reason: unsubscribed before tester before
// outside the window.
func countAudience(db *gorm.DB, sel audienceSel, windowed bool, now time.Time) (audienceCounts, error) {
	var c audienceCounts
	outside := "0"
	args := []any{}
	if windowed {
		outside = "COALESCE(SUM(CASE WHEN contacts.subscribed AND NOT contacts.tester AND " +
			"(contacts.last_interaction_at IS NULL OR contacts.last_interaction_at < ?) THEN 1 ELSE 0 END), 0)"
		args = append(args, now.Add(-MessengerWindow).UTC())
	}
	q := sel.where(db, now).Select("COUNT(*) AS total, "+
		"COALESCE(SUM(CASE WHEN NOT contacts.subscribed THEN 1 ELSE 0 END), 0) AS unsubscribed, "+
		"COALESCE(SUM(CASE WHEN contacts.subscribed AND contacts.tester THEN 1 ELSE 0 END), 0) AS tester, "+
		outside+" AS outside_window", args...)
	if err := q.Scan(&c).Error; err != nil {
		return c, fmt.Errorf("models: count audience: %w", err)
	}
	return c, nil
}

// windowed tells whether a broadcast reaches only people inside the
// 24-hour window: Messenger standard messages.
func windowed(ch *Channel, tag string) bool {
	return ch.Kind == channels.KindMessenger && !IsTagged(tag)
}

// ConfirmationFigures computes the figures of a draft at now, counting
// its audience as the database holds it (exact, one query). quota may
// be nil. A draft whose channel or audience cannot be read gives
// DraftErrors.
func ConfirmationFigures(db *gorm.DB, d Draft, now time.Time, quota QuotaFunc) (Figures, error) {
	d = d.normalized()
	ch, errs := d.storable(db)
	if len(errs) > 0 {
		return Figures{}, errs
	}
	sel, ferrs, err := resolveAudience(db, ch.ID, d.Audience, d.audienceZone)
	if err != nil {
		return Figures{}, err
	}
	if len(ferrs) > 0 {
		return Figures{}, DraftErrors(ferrs)
	}
	win := windowed(ch, d.MessageTag)
	c, err := countAudience(db, sel, win, now)
	if err != nil {
		return Figures{}, err
	}
	f := Figures{Audience: c.Total, Skipped: map[string]int64{SkipUnsubscribed: c.Unsubscribed, SkipTester: c.Tester}}
	if win {
		f.Skipped[SkipOutsideWindow] = c.OutsideWindow
	}
	if sel.conds == nil {
		// A list of contacts: those deleted since it was made are gone.
		f.Audience = sel.listed
		f.Skipped[SkipDeleted] = max(sel.listed-c.Total, 0)
	}
	f.Sendable = f.Audience
	for _, n := range f.Skipped {
		f.Sendable -= n
	}
	f.complete(ch, d.Content, quota)
	return f, nil
}

// complete adds the LINE quota, the way LINE sends and the expected time.
func (f *Figures) complete(ch *Channel, content BroadcastContent, quota QuotaFunc) {
	rate := ch.RateLimit
	if rate <= 0 {
		rate = DefaultRateLimit(ch.Kind)
	}
	seconds := func(calls, perSecond float64) int64 { return int64(math.Ceil(calls / perSecond)) }
	switch ch.Kind {
	case channels.KindLINE:
		f.LINEQuota = &QuotaFigures{Needed: f.Sendable}
		if quota != nil {
			if q, ok := quota(ch); ok {
				if q.Unlimited {
					f.LINEQuota.Unlimited = true
				} else {
					rem := q.Remaining
					f.LINEQuota.Remaining = &rem
					f.LINEQuota.Exceeds = f.Sendable > rem
				}
			}
		}
		f.Multicast = !content.Personalised()
		if f.Multicast {
			requests := math.Ceil(float64(f.Sendable) / lineMulticastPerRequest)
			f.EstimatedSeconds = seconds(requests, lineMulticastPerSecond)
		} else {
			f.EstimatedSeconds = seconds(float64(f.Sendable), rate)
		}
	case channels.KindMessenger:
		// Messenger takes one call per message bubble.
		f.EstimatedSeconds = seconds(float64(f.Sendable)*float64(max(len(content.Messages), 1)), rate)
	default:
		f.EstimatedSeconds = seconds(float64(f.Sendable), rate)
	}
}

// BroadcastFigures are a stored broadcast's figures: counted now while it
// is a draft, from its frozen deliveries once confirmed (the count
// confirmed is the count tried).
func BroadcastFigures(db *gorm.DB, b *Broadcast, now time.Time, quota QuotaFunc) (Figures, error) {
	if b.Status == BroadcastDraft {
		d, err := DraftOf(b)
		if err != nil {
			return Figures{}, err
		}
		return ConfirmationFigures(db, d, now, quota)
	}
	ch, err := FindChannel(db, b.ChannelID)
	if err != nil {
		return Figures{}, err
	}
	var rows []struct {
		Reason string
		N      int64
	}
	if err := db.Model(&Delivery{}).Select("reason, COUNT(*) AS n").Where("broadcast_id = ? AND state = ?", b.ID, DeliverySkipped).
		Group("reason").Scan(&rows).Error; err != nil {
		return Figures{}, fmt.Errorf("models: skipped deliveries of broadcast %d: %w", b.ID, err)
	}
	f := Figures{Audience: b.AudienceCount, Skipped: map[string]int64{SkipUnsubscribed: 0, SkipTester: 0}}
	var skipped int64
	for _, r := range rows {
		f.Skipped[r.Reason] = r.N
		skipped += r.N
	}
	f.Sendable = b.AudienceCount - skipped
	spec, err := b.Spec()
	if err != nil {
		return Figures{}, err
	}
	f.complete(ch, spec, quota)
	return f, nil
}
