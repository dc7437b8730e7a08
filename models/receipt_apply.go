package models

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
)

// Receipts are stored by the webhook (ReceiptEvent, applied false) and
// applied to the deliveries here, a batch per transaction, by the
// background work. Every change is conditional, so a receipt applied
// twice, two instances applying at once, or receipts arriving in any
// order give the same rows:
//   - delivered_at and read_at only move earlier (NULL counts as latest):
//     the final value is the earliest time any receipt gave;
//   - read sets delivered too (a message read was delivered);
//   - a WhatsApp "failed" status fails only a delivery with no delivered
//     or read time; a delivered or read status for a delivery a "failed"
//     status failed puts it back to sent (it did arrive).
//
// The broadcast's counters change in the same transaction, from the rows
// that actually changed.

// Receipt timing.
const (
	// ReceiptWatermarkSlack widens a Messenger watermark: the platform
	// stamps a message with its own clock when it accepts it, before our
	// sent_at (written when the answer arrives), so the last message a
	// watermark covers may look up to this much later here.
	ReceiptWatermarkSlack = 2 * time.Second
	// receiptMaxTries bounds the tries of a receipt that names no
	// delivery yet: a receipt can overtake the recording of its send (a
	// WhatsApp "sent" status often does), so it waits and is tried
	// again; after this many tries it is set aside (most such receipts
	// answer conversations, not broadcasts).
	receiptMaxTries = 4
)

// receiptRetryDelay is the wait before try n+1 (15 s, 1 min, 4 min).
func receiptRetryDelay(tries int) time.Duration { return 15 * time.Second << (2 * tries) }

// ReceiptBatch says what one ApplyReceipts call did.
type ReceiptBatch struct {
	// Events read; Applied: those marked applied that named a delivery;
	// SetAside: marked applied without naming one (tries ran out or
	// nothing to match); Waiting: tried again later.
	Events, Applied, SetAside, Waiting int
	// Rows changed: delivered and read times set, deliveries failed by a
	// status, and failed deliveries a later status proved delivered.
	Delivered, Read, Failed, Restored int64
}

// receiptRow is one stored receipt to apply.
type receiptRow struct {
	ID         uint64
	ChannelID  uint
	Kind       string
	UserID     string
	MessageID  string
	MessageIDs string
	Watermark  *time.Time
	Status     string
	ErrorCode  int
	ErrorTitle string
	OccurredAt time.Time
	ApplyTries int
}

// receiptDelta is one broadcast's counter changes.
type receiptDelta struct{ sent, failed, delivered, read int64 }

// ApplyReceipts applies up to limit stored receipts due at now, oldest
// first, in one transaction. On PostgreSQL the events are locked with
// SKIP LOCKED, so two instances take different batches.
func ApplyReceipts(db *gorm.DB, limit int, now time.Time) (ReceiptBatch, error) {
	now = now.UTC()
	var out ReceiptBatch
	err := db.Transaction(func(tx *gorm.DB) error {
		out = ReceiptBatch{}
		var evs []receiptRow
		if err := tx.Raw("SELECT id, channel_id, kind, user_id, message_id, message_ids, watermark, status, error_code, error_title,"+
			" occurred_at, apply_tries FROM receipt_events WHERE applied = FALSE AND (apply_after IS NULL OR apply_after <= ?)"+
			" ORDER BY id LIMIT ?"+lockClause(tx), now, limit).Scan(&evs).Error; err != nil {
			return fmt.Errorf("models: read receipts to apply: %w", err)
		}
		out.Events = len(evs)
		deltas := map[uint]*receiptDelta{}
		var applied []uint64
		for _, ev := range evs {
			found, inflight, err := applyReceipt(tx, ev, deltas, &out, now)
			if err != nil {
				return fmt.Errorf("models: apply receipt %d: %w", ev.ID, err)
			}
			retry := (!found || inflight) && ev.ApplyTries+1 < receiptMaxTries && canMatch(ev)
			switch {
			case retry:
				out.Waiting++
				if err := tx.Exec("UPDATE receipt_events SET apply_tries = apply_tries + 1, apply_after = ? WHERE id = ?",
					now.Add(receiptRetryDelay(ev.ApplyTries)), ev.ID).Error; err != nil {
					return fmt.Errorf("models: postpone receipt %d: %w", ev.ID, err)
				}
			case found:
				out.Applied++
				applied = append(applied, ev.ID)
			default:
				out.SetAside++
				applied = append(applied, ev.ID)
			}
		}
		for id, d := range deltas {
			if err := tx.Model(&Broadcast{}).Where("id = ?", id).Updates(map[string]any{
				"sent_count":      gorm.Expr("sent_count + ?", d.sent),
				"failed_count":    gorm.Expr("failed_count + ?", d.failed),
				"delivered_count": gorm.Expr("delivered_count + ?", d.delivered),
				"read_count":      gorm.Expr("read_count + ?", d.read),
			}).Error; err != nil {
				return fmt.Errorf("models: count receipts of broadcast %d: %w", id, err)
			}
		}
		if len(applied) > 0 {
			if err := tx.Exec("UPDATE receipt_events SET applied = TRUE WHERE id IN ?", applied).Error; err != nil {
				return fmt.Errorf("models: mark receipts applied: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return ReceiptBatch{}, err
	}
	return out, nil
}

// receiptMatch is the SQL condition on deliveries naming the messages a
// receipt covers, with its arguments.
type receiptMatch struct {
	cond      string
	args      []any
	watermark bool // a person's messages up to a time (Messenger)
	contact   []any
}

// matchOf builds the condition of ev: its message ids (WhatsApp wamid,
// Messenger delivery mids) among the channel's broadcasts, and for a
// watermark every message sent to the person up to it.
func matchOf(ev receiptRow) (receiptMatch, bool) {
	var ids []string
	if ev.MessageID != "" {
		ids = append(ids, ev.MessageID)
	}
	ids = append(ids, strings.Fields(ev.MessageIDs)...)
	var m receiptMatch
	var parts []string
	if len(ids) > 0 {
		parts = append(parts, "(provider_message_id IN ? AND broadcast_id IN (SELECT id FROM broadcasts WHERE channel_id = ?))")
		m.args = append(m.args, ids, ev.ChannelID)
	}
	if ev.Watermark != nil && ev.UserID != "" && ev.Kind != string(channels.EventStatus) {
		m.watermark = true
		m.contact = []any{ev.ChannelID, ev.UserID}
		parts = append(parts, "(contact_id IN (SELECT id FROM contacts WHERE channel_id = ? AND external_id = ?) AND sent_at <= ?)")
		m.args = append(m.args, ev.ChannelID, ev.UserID, ev.Watermark.UTC().Add(ReceiptWatermarkSlack))
	}
	if len(parts) == 0 {
		return m, false
	}
	m.cond = "(" + strings.Join(parts, " OR ") + ")"
	return m, true
}

func canMatch(ev receiptRow) bool { _, ok := matchOf(ev); return ok }

// applyReceipt applies one receipt. found tells whether it names a sent
// (or receipt-failed) delivery; inflight, for a watermark, whether the
// person has a delivery being sent right now, which the watermark may
// cover once its answer is recorded.
func applyReceipt(tx *gorm.DB, ev receiptRow, deltas map[uint]*receiptDelta, out *ReceiptBatch, now time.Time) (found, inflight bool, err error) {
	m, ok := matchOf(ev)
	if !ok {
		return false, false, nil
	}
	at := ev.OccurredAt.UTC()
	delta := func(id uint) *receiptDelta {
		if deltas[id] == nil {
			deltas[id] = &receiptDelta{}
		}
		return deltas[id]
	}
	var n int64
	if err := tx.Raw("SELECT COUNT(*) FROM deliveries WHERE (state = ? OR (state = ? AND provider_message_id <> '')) AND "+m.cond,
		append([]any{DeliverySent, DeliveryFailed}, m.args...)...).Scan(&n).Error; err != nil {
		return false, false, err
	}
	found = n > 0
	if m.watermark {
		var claimed int64
		if err := tx.Raw("SELECT COUNT(*) FROM deliveries WHERE state = ? AND contact_id IN (SELECT id FROM contacts WHERE channel_id = ? AND external_id = ?)",
			append([]any{DeliveryClaimed}, m.contact...)...).Scan(&claimed).Error; err != nil {
			return false, false, err
		}
		inflight = claimed > 0
	}
	if !found {
		return false, inflight, nil
	}
	var delivered, read bool
	switch channels.EventKind(ev.Kind) {
	case channels.EventDelivery:
		delivered = true
	case channels.EventRead:
		delivered, read = true, true
	case channels.EventStatus:
		switch ev.Status {
		case "delivered":
			delivered = true
		case "read":
			delivered, read = true, true
		case "failed":
			ids, err := returningBroadcasts(tx, "UPDATE deliveries SET state = ?, reason = ?, detail = ?, updated_at = ?"+
				" WHERE state = ? AND delivered_at IS NULL AND read_at IS NULL AND "+m.cond+" RETURNING broadcast_id",
				append([]any{DeliveryFailed, WhatsAppStatusReason(ev.ErrorCode), statusDetail(ev), now, DeliverySent}, m.args...)...)
			if err != nil {
				return false, false, err
			}
			for _, id := range ids {
				delta(id).sent--
				delta(id).failed++
				out.Failed++
			}
		}
	}
	if delivered {
		// Proof of arrival undoes a "failed" status seen before it.
		ids, err := returningBroadcasts(tx, "UPDATE deliveries SET state = ?, reason = '', detail = '', updated_at = ?"+
			" WHERE state = ? AND provider_message_id <> '' AND "+m.cond+" RETURNING broadcast_id",
			append([]any{DeliverySent, now, DeliveryFailed}, m.args...)...)
		if err != nil {
			return false, false, err
		}
		for _, id := range ids {
			delta(id).sent++
			delta(id).failed--
			out.Restored++
		}
	}
	for _, c := range []struct {
		on  bool
		col string
		cnt func(*receiptDelta) *int64
		tot *int64
	}{
		{delivered, "delivered_at", func(d *receiptDelta) *int64 { return &d.delivered }, &out.Delivered},
		{read, "read_at", func(d *receiptDelta) *int64 { return &d.read }, &out.Read},
	} {
		if !c.on {
			continue
		}
		ids, err := returningBroadcasts(tx, "UPDATE deliveries SET "+c.col+" = ?, updated_at = ? WHERE state = ? AND "+c.col+" IS NULL AND "+
			m.cond+" RETURNING broadcast_id", append([]any{at, now, DeliverySent}, m.args...)...)
		if err != nil {
			return false, false, err
		}
		for _, id := range ids {
			*c.cnt(delta(id))++
			*c.tot++
		}
		// An earlier time than the one stored wins (a "delivered" after
		// the "read" that set delivered_at); no counter moves.
		if err := tx.Exec("UPDATE deliveries SET "+c.col+" = ? WHERE state = ? AND "+c.col+" > ? AND "+m.cond,
			append([]any{at, DeliverySent, at}, m.args...)...).Error; err != nil {
			return false, false, err
		}
	}
	return true, inflight, nil
}

// returningBroadcasts runs an UPDATE … RETURNING broadcast_id.
func returningBroadcasts(tx *gorm.DB, q string, args ...any) ([]uint, error) {
	var ids []uint
	if err := tx.Raw(q, args...).Scan(&ids).Error; err != nil {
		return nil, err
	}
	return ids, nil
}

// statusDetail is the report's text of a failed status: code and title.
func statusDetail(ev receiptRow) string {
	d := fmt.Sprintf("WhatsApp %d", ev.ErrorCode)
	if ev.ErrorTitle != "" {
		d += ": " + ev.ErrorTitle
	}
	return TruncateRunes(d, 500)
}

// WhatsAppStatusReason is the stable reason of a delivery a "failed"
// status failed, from its error code (the same reasons the send answers
// map to, see channels/whatsapp's classify).
func WhatsAppStatusReason(code int) string {
	switch code {
	case 131026:
		return channels.ReasonUnavailable
	case 131047:
		return channels.ReasonOutsideWindow
	case 131048:
		return channels.ReasonSpamLimit
	case 131049:
		return channels.ReasonEcosystem
	case 130429, 131056, 4, 80007:
		return channels.ReasonRateLimited
	case 190:
		return channels.ReasonInvalidToken
	case 131031:
		return channels.ReasonPageRestricted
	case 132001, 132015, 132016:
		return channels.ReasonBadRequest
	}
	return channels.ReasonUnknown
}

// PendingReceipts counts the stored receipts not yet applied.
func PendingReceipts(db *gorm.DB) (int64, error) {
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM receipt_events WHERE applied = FALSE").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count receipts to apply: %w", err)
	}
	return n, nil
}
