package models

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// ConfirmBroadcast confirms draft id, saved as version: it validates the
// stored draft as confirming (promotional content under a message tag is
// refused and locks the channel's tagged broadcasting), then moves the
// broadcast to preparing with who confirmed it and when it goes out (a
// send-now broadcast at now). Field errors come back as they are; the
// broadcast stays a draft. The request ends there: the "freeze" worker
// (jobs) writes the deliveries with FreezeAudience and moves it on to
// scheduled, so confirming never waits for a million rows.
func ConfirmBroadcast(db *gorm.DB, id uint, version int, who Actor, env ValidateEnv) (*Broadcast, []FieldError, error) {
	b, err := FindBroadcast(db, id)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case b.Status != BroadcastDraft:
		return nil, nil, ErrBroadcastState
	case b.Version != version:
		return nil, nil, ErrBroadcastStale
	}
	d, err := DraftOf(b)
	if err != nil {
		return nil, nil, err
	}
	env.Confirming = true
	if _, errs := ValidateDraft(db, d, env); len(errs) > 0 {
		return b, errs, nil
	}
	now := env.Now.UTC()
	at := now
	if !b.SendNow && b.ScheduledAt != nil {
		at = b.ScheduledAt.UTC()
	}
	set := map[string]any{"confirmed_by": who.UserID, "confirmed_at": now, "scheduled_at": at, "frozen_count": 0,
		"audience_count": 0, "pending_count": 0, "skipped_count": 0}
	if who.UserID == 0 {
		set["confirmed_by"] = nil
	}
	moved := false
	err = db.Transaction(func(tx *gorm.DB) error {
		// The version is part of the condition: an edit saved after the
		// figures were shown makes the confirmation stale.
		res := tx.Model(&Broadcast{}).Where("id = ? AND status = ? AND version = ?", id, BroadcastDraft, version).
			Updates(mergeSet(set, map[string]any{"status": BroadcastPreparing, "updated_at": now, "version": gorm.Expr("version + 1")}))
		if res.Error != nil {
			return fmt.Errorf("models: confirm broadcast %d: %w", id, res.Error)
		}
		if moved = res.RowsAffected == 1; !moved {
			return nil
		}
		return Audit(tx, who, AuditEntry{BroadcastID: &id, Action: "confirm",
			Diff: AuditDiff(map[string]FieldChange{"status": {Old: BroadcastDraft, New: BroadcastPreparing}, "scheduled_at": {New: at}})}, now)
	})
	if err != nil {
		return nil, nil, err
	}
	if !moved {
		return nil, nil, ErrBroadcastStale
	}
	b, err = FindBroadcast(db, id)
	return b, nil, err
}

func mergeSet(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// FreezeBatch is how many contact ids one freezing statement covers. On
// SQLite, the one writer, each batch is a short write transaction, so
// webhooks and saves get their turn between batches instead of waiting
// behind a million-row insert; it is also the unit of progress and of
// resuming after a crash.
const FreezeBatch = 50000

// ErrNotPreparing: the broadcast is not waiting to be frozen.
var ErrNotPreparing = errors.New("models: broadcast is not preparing")

// FreezeAudience writes the audience of a confirmed (preparing)
// broadcast into its deliveries and moves it to scheduled. Each batch of
// contact ids is one INSERT…SELECT from contacts (no row goes through
// Go): pending for the people to try, skipped with a reason for those
// already known not to get it (unsubscribed, testers); whether a
// Messenger standard message is inside the 24-hour window is judged at
// send time. Progress (frozen_count of audience_count) is committed
// after each batch; a freeze stopped half way resumes after the last
// contact written (ON CONFLICT DO NOTHING makes a repeated batch
// harmless). progress, when set, hears of each batch.
func FreezeAudience(db *gorm.DB, broadcastID uint, now time.Time) error {
	return FreezeAudienceBatched(db, broadcastID, now, FreezeBatch, nil)
}

// FreezeAudienceBatched is FreezeAudience with the batch size given (0 or
// less: the whole audience in one statement) and a progress callback.
func FreezeAudienceBatched(db *gorm.DB, broadcastID uint, now time.Time, batch int64, progress func(frozen, total int64)) error {
	b, err := FindBroadcast(db, broadcastID)
	if err != nil {
		return err
	}
	if b.Status != BroadcastPreparing {
		return ErrNotPreparing
	}
	d, err := DraftOf(b)
	if err != nil {
		return err
	}
	sel, ferrs, err := resolveAudience(db, b.ChannelID, d.Audience, d.audienceZone)
	if err != nil {
		return err
	}
	if len(ferrs) > 0 {
		return DraftErrors(ferrs)
	}
	// The audience is judged at the moment of confirmation.
	at := now
	if b.ConfirmedAt != nil {
		at = *b.ConfirmedAt
	}
	lo, hi, total, err := freezeBounds(db, sel, b, at)
	if err != nil {
		return err
	}
	frozen, err := countDeliveries(db, broadcastID)
	if err != nil {
		return err
	}
	total = max(total, frozen)
	if err := db.Model(&Broadcast{}).Where("id = ?", broadcastID).
		Updates(map[string]any{"audience_count": total, "frozen_count": frozen}).Error; err != nil {
		return fmt.Errorf("models: freeze broadcast %d: %w", broadcastID, err)
	}
	if progress != nil {
		progress(frozen, total)
	}
	if batch <= 0 {
		batch = hi - lo + 1
	}
	for start := lo; total > 0 && start <= hi; start += batch {
		n, err := freezeRange(db, sel, b.ID, at, now, start, start+batch)
		if err != nil {
			return err
		}
		frozen += n
		if progress != nil {
			progress(frozen, max(total, frozen))
		}
	}
	return finishFreeze(db, broadcastID, now)
}

// freezeBounds finds the id range still to freeze (from after the last
// contact written, when resuming) and how many people the audience holds.
func freezeBounds(db *gorm.DB, sel audienceSel, b *Broadcast, at time.Time) (lo, hi, total int64, err error) {
	var r struct {
		Lo, Hi *int64
		N      int64
	}
	if err := sel.where(db, at).Select("MIN(contacts.id) AS lo, MAX(contacts.id) AS hi, COUNT(*) AS n").Scan(&r).Error; err != nil {
		return 0, 0, 0, fmt.Errorf("models: size the audience of broadcast %d: %w", b.ID, err)
	}
	if r.Lo == nil {
		return 1, 0, 0, nil
	}
	var last *int64
	if err := db.Model(&Delivery{}).Where("broadcast_id = ?", b.ID).Select("MAX(contact_id)").Scan(&last).Error; err != nil {
		return 0, 0, 0, fmt.Errorf("models: resume freeze of broadcast %d: %w", b.ID, err)
	}
	lo = *r.Lo
	if last != nil && *last >= lo {
		lo = *last + 1
	}
	return lo, *r.Hi, r.N, nil
}

// freezeRange writes the deliveries of the audience's contacts with ids
// in [lo, hi), with the progress counter, in one transaction.
func freezeRange(db *gorm.DB, sel audienceSel, broadcastID uint, at, now time.Time, lo, hi int64) (int64, error) {
	var n int64
	stamp := "?"
	if IsPostgres(db) {
		stamp = "CAST(? AS timestamptz)"
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		// Read in id order over the range (the rowid range on SQLite).
		sub := sel.whereBy(tx, at, accessScan).Where("contacts.id >= ? AND contacts.id < ?", lo, hi).Select(
			strconv.FormatUint(uint64(broadcastID), 10)+", contacts.id, "+
				"CASE WHEN NOT contacts.subscribed OR contacts.tester THEN '"+DeliverySkipped+"' ELSE '"+DeliveryPending+"' END, "+
				"CASE WHEN NOT contacts.subscribed THEN '"+SkipUnsubscribed+"' WHEN contacts.tester THEN '"+SkipTester+"' ELSE '' END, "+
				stamp, now.UTC())
		res := tx.Exec("INSERT INTO deliveries (broadcast_id, contact_id, state, reason, updated_at) ? "+
			"ON CONFLICT (broadcast_id, contact_id) DO NOTHING", sub)
		if res.Error != nil {
			return fmt.Errorf("models: freeze contacts %d–%d of broadcast %d: %w", lo, hi, broadcastID, res.Error)
		}
		n = res.RowsAffected
		if n == 0 {
			return nil
		}
		return tx.Model(&Broadcast{}).Where("id = ?", broadcastID).
			Updates(map[string]any{"frozen_count": gorm.Expr("frozen_count + ?", n), "updated_at": now.UTC()}).Error
	})
	return n, err
}

func countDeliveries(db *gorm.DB, broadcastID uint) (int64, error) {
	var n int64
	if err := db.Model(&Delivery{}).Where("broadcast_id = ?", broadcastID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count deliveries of broadcast %d: %w", broadcastID, err)
	}
	return n, nil
}

// finishFreeze sets the counters from the deliveries themselves (exact,
// whatever batches ran twice) and moves the broadcast to scheduled.
func finishFreeze(db *gorm.DB, broadcastID uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var rows []struct {
			State string
			N     int64
		}
		if err := tx.Model(&Delivery{}).Select("state, COUNT(*) AS n").Where("broadcast_id = ?", broadcastID).Group("state").
			Scan(&rows).Error; err != nil {
			return fmt.Errorf("models: count frozen deliveries of broadcast %d: %w", broadcastID, err)
		}
		var total, pending, skipped int64
		for _, r := range rows {
			total += r.N
			switch r.State {
			case DeliveryPending:
				pending += r.N
			case DeliverySkipped:
				skipped += r.N
			}
		}
		moved, err := moveBroadcast(tx, broadcastID, []string{BroadcastPreparing}, BroadcastScheduled,
			map[string]any{"audience_count": total, "frozen_count": total, "pending_count": pending, "skipped_count": skipped}, now)
		if err != nil || !moved {
			return err
		}
		return Audit(tx, Actor{}, AuditEntry{BroadcastID: &broadcastID, Action: "frozen",
			Diff: AuditDiff(map[string]FieldChange{"audience": {New: total}, "pending": {New: pending}, "skipped": {New: skipped}})}, now)
	})
}

// PreparingBroadcasts lists the broadcasts waiting to be frozen, oldest
// confirmation first.
func PreparingBroadcasts(db *gorm.DB, limit int) ([]uint, error) {
	var ids []uint
	if err := db.Model(&Broadcast{}).Where("status = ?", BroadcastPreparing).Order("confirmed_at, id").Limit(limit).
		Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: list preparing broadcasts: %w", err)
	}
	return ids, nil
}
