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
// SKIP LOCKED, so two instances take different batches. The batch is
// applied a channel at a time in a few statements: the deliveries the
// receipts name (by message id, or a watermark's person) are read by
// index, and their times set by primary key.
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
		a := &receiptApplier{tx: tx, now: now, out: &out, deltas: map[uint]*receiptDelta{},
			found: map[uint64]bool{}, inflight: map[uint64]bool{}}
		var order []uint
		byChannel := map[uint][]receiptRow{}
		for _, ev := range evs {
			if byChannel[ev.ChannelID] == nil {
				order = append(order, ev.ChannelID)
			}
			byChannel[ev.ChannelID] = append(byChannel[ev.ChannelID], ev)
		}
		for _, ch := range order {
			if err := a.byMessageID(ch, byChannel[ch]); err != nil {
				return fmt.Errorf("models: apply receipts of channel %d: %w", ch, err)
			}
			if err := a.watermarks(ch, byChannel[ch]); err != nil {
				return fmt.Errorf("models: apply watermarks of channel %d: %w", ch, err)
			}
		}
		var applied []uint64
		postponed := map[int][]uint64{} // tries so far → events
		for _, ev := range evs {
			found := a.found[ev.ID]
			retry := (!found || a.inflight[ev.ID]) && ev.ApplyTries+1 < receiptMaxTries && canMatch(ev)
			switch {
			case retry:
				out.Waiting++
				postponed[ev.ApplyTries] = append(postponed[ev.ApplyTries], ev.ID)
			case found:
				out.Applied++
				applied = append(applied, ev.ID)
			default:
				out.SetAside++
				applied = append(applied, ev.ID)
			}
		}
		for tries, ids := range postponed {
			if err := tx.Exec("UPDATE receipt_events SET apply_tries = apply_tries + 1, apply_after = ? WHERE id IN ?",
				now.Add(receiptRetryDelay(tries)), ids).Error; err != nil {
				return fmt.Errorf("models: postpone receipts: %w", err)
			}
		}
		for id, d := range a.deltas {
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

// receiptApplier applies one batch inside its transaction.
type receiptApplier struct {
	tx     *gorm.DB
	now    time.Time
	out    *ReceiptBatch
	deltas map[uint]*receiptDelta
	// found: the receipt names a sent (or receipt-failed) delivery;
	// inflight: a watermark's person has a delivery being sent now.
	found, inflight map[uint64]bool
}

func (a *receiptApplier) delta(id uint) *receiptDelta {
	if a.deltas[id] == nil {
		a.deltas[id] = &receiptDelta{}
	}
	return a.deltas[id]
}

// messageIDs lists the messages a receipt names.
func (ev receiptRow) messageIDs() []string {
	var ids []string
	if ev.MessageID != "" {
		ids = append(ids, ev.MessageID)
	}
	return append(ids, strings.Fields(ev.MessageIDs)...)
}

// midMarks is what a batch says of one message.
type midMarks struct {
	delivered, read *time.Time
	failed          *receiptRow // the earliest failed status
}

func earliest(p **time.Time, t time.Time) {
	if *p == nil || t.Before(**p) {
		*p = &t
	}
}

// byMessageID applies a channel's receipts that name messages, for the
// whole batch at once: failed statuses first, then proofs of arrival
// (which undo them), then delivered and read times.
func (a *receiptApplier) byMessageID(channelID uint, evs []receiptRow) error {
	marks := map[string]*midMarks{}
	evMids := map[uint64][]string{}
	for _, ev := range evs {
		mids := ev.messageIDs()
		if len(mids) == 0 {
			continue
		}
		evMids[ev.ID] = mids
		at := ev.OccurredAt.UTC()
		for _, mid := range mids {
			m := marks[mid]
			if m == nil {
				m = &midMarks{}
				marks[mid] = m
			}
			switch {
			case ev.Kind == string(channels.EventDelivery), ev.Kind == string(channels.EventStatus) && ev.Status == "delivered":
				earliest(&m.delivered, at)
			case ev.Kind == string(channels.EventRead), ev.Kind == string(channels.EventStatus) && ev.Status == "read":
				earliest(&m.delivered, at)
				earliest(&m.read, at)
			case ev.Kind == string(channels.EventStatus) && ev.Status == "failed":
				if m.failed == nil || ev.OccurredAt.Before(m.failed.OccurredAt) {
					m.failed = &ev
				}
			}
		}
	}
	if len(marks) == 0 {
		return nil
	}
	tx := a.tx
	// The unary plus keeps SQLite's planner on the provider_message_id
	// index: the (broadcast_id, state) one would read the whole broadcast.
	// That index is partial (provider_message_id <> '', migration 0021):
	// each look-up repeats the condition literally so that any plan,
	// generic ones too, may use it.
	ofChannel := " AND +broadcast_id IN (SELECT id FROM broadcasts WHERE channel_id = ?)"
	all := make([]string, 0, len(marks))
	for mid := range marks {
		all = append(all, mid)
	}
	var rows []struct {
		ID                uint64
		ProviderMessageID string
	}
	if err := tx.Raw("SELECT id, provider_message_id FROM deliveries WHERE provider_message_id <> '' AND provider_message_id IN ? AND (state = ? OR state = ?)"+
		ofChannel, all, DeliverySent, DeliveryFailed, channelID).Scan(&rows).Error; err != nil {
		return err
	}
	found := make([]string, 0, len(rows))
	isFound := make(map[string]bool, len(rows))
	for _, r := range rows {
		found = append(found, r.ProviderMessageID)
		isFound[r.ProviderMessageID] = true
	}
	for id, mids := range evMids {
		for _, mid := range mids {
			if isFound[mid] {
				a.found[id] = true
				break
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	// Failed statuses: only a message with no proof of arrival.
	var failed, arrived []string
	var reason, detail caseOf
	for _, mid := range found {
		m := marks[mid]
		if m.failed != nil && m.delivered == nil { // the batch itself may prove arrival
			failed = append(failed, mid)
			reason.add(mid, WhatsAppStatusReason(m.failed.ErrorCode))
			detail.add(mid, statusDetail(*m.failed))
		}
		if m.delivered != nil {
			arrived = append(arrived, mid)
		}
	}
	if len(failed) > 0 {
		args := append(append([]any{DeliveryFailed}, reason.args...), detail.args...)
		args = append(args, a.now, DeliverySent, failed, channelID)
		ids, err := returningBroadcasts(tx, "UPDATE deliveries SET state = ?, reason = "+reason.sql(tx, "")+", detail = "+detail.sql(tx, "")+
			", updated_at = ? WHERE state = ? AND delivered_at IS NULL AND read_at IS NULL AND provider_message_id <> '' AND provider_message_id IN ?"+ofChannel+
			" RETURNING broadcast_id", args...)
		if err != nil {
			return err
		}
		for _, id := range ids {
			a.delta(id).sent--
			a.delta(id).failed++
			a.out.Failed++
		}
	}
	if len(arrived) > 0 {
		// Proof of arrival undoes a "failed" status seen before it.
		ids, err := returningBroadcasts(tx, "UPDATE deliveries SET state = ?, reason = '', detail = '', updated_at = ?"+
			" WHERE state = ? AND provider_message_id <> '' AND provider_message_id IN ?"+ofChannel+" RETURNING broadcast_id",
			DeliverySent, a.now, DeliveryFailed, arrived, channelID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			a.delta(id).sent++
			a.delta(id).failed--
			a.out.Restored++
		}
	}
	delivered, read := map[uint64]time.Time{}, map[uint64]time.Time{}
	for _, r := range rows {
		m := marks[r.ProviderMessageID]
		if m.delivered != nil {
			delivered[r.ID] = *m.delivered
		}
		if m.read != nil {
			read[r.ID] = *m.read
		}
	}
	if err := a.setTimes("delivered_at", delivered); err != nil {
		return err
	}
	return a.setTimes("read_at", read)
}

// setTimes sets col of the given sent deliveries to their time when it is
// NULL (counted) or later (not counted), by id: the primary key drives
// both statements whatever the planner thinks of the rest.
func (a *receiptApplier) setTimes(col string, times map[uint64]time.Time) error {
	if len(times) == 0 {
		return nil
	}
	tx := a.tx
	then := "?"
	if IsPostgres(tx) {
		then = "CAST(? AS timestamptz)"
	}
	ids := make([]uint64, 0, len(times))
	var cases strings.Builder
	var cargs []any
	cases.WriteString("CASE id")
	for id, t := range times {
		ids = append(ids, id)
		cases.WriteString(" WHEN ? THEN " + then)
		cargs = append(cargs, id, t.UTC())
	}
	cases.WriteString(" END")
	set := cases.String()
	args := append(append([]any{}, cargs...), a.now, DeliverySent, ids)
	moved, err := returningBroadcasts(tx, "UPDATE deliveries SET "+col+" = "+set+", updated_at = ? WHERE state = ? AND id IN ? AND "+col+
		" IS NULL RETURNING broadcast_id", args...)
	if err != nil {
		return err
	}
	for _, id := range moved {
		if col == "delivered_at" {
			a.delta(id).delivered++
			a.out.Delivered++
		} else {
			a.delta(id).read++
			a.out.Read++
		}
	}
	// An earlier time than the one stored wins (a "delivered" after the
	// "read" that set delivered_at); no counter moves.
	args = append(append(append([]any{}, cargs...), DeliverySent, ids), cargs...)
	if err := tx.Exec("UPDATE deliveries SET "+col+" = "+set+" WHERE state = ? AND id IN ? AND "+col+" > "+set, args...).Error; err != nil {
		return err
	}
	return nil
}

// caseOf builds "CASE provider_message_id WHEN ? THEN ? … END".
type caseOf struct {
	n    int
	args []any
}

func (c *caseOf) add(mid string, v any) {
	c.n++
	c.args = append(c.args, mid, v)
}

// sql is the CASE expression; PostgreSQL types its parameters as text
// unless told (pgType).
func (c *caseOf) sql(tx *gorm.DB, pgType string) string {
	then := "?"
	if pgType != "" && IsPostgres(tx) {
		then = "CAST(? AS " + pgType + ")"
	}
	var b strings.Builder
	b.WriteString("CASE provider_message_id")
	for range c.n {
		b.WriteString(" WHEN ? THEN " + then)
	}
	b.WriteString(" END")
	return b.String()
}

// isWatermark tells whether ev is a Messenger watermark: it covers every
// message sent to the person up to it.
func isWatermark(ev receiptRow) bool {
	return ev.Watermark != nil && ev.UserID != "" && ev.Kind != string(channels.EventStatus)
}

// canMatch tells whether a receipt can ever name a delivery.
func canMatch(ev receiptRow) bool {
	return isWatermark(ev) || len(ev.messageIDs()) > 0
}

// watermarks applies a channel's Messenger delivery and read watermarks
// for the whole batch: each sent delivery takes the earliest time of the
// watermarks covering it (sent_at up to the watermark, with the slack).
func (a *receiptApplier) watermarks(channelID uint, evs []receiptRow) error {
	var wms []receiptRow
	uids := map[string]bool{}
	for _, ev := range evs {
		if isWatermark(ev) {
			wms = append(wms, ev)
			uids[ev.UserID] = true
		}
	}
	if len(wms) == 0 {
		return nil
	}
	tx := a.tx
	list := make([]string, 0, len(uids))
	for u := range uids {
		list = append(list, u)
	}
	var people []struct {
		UID     string
		Claimed int64
		Sent    int64
	}
	if err := tx.Raw("SELECT c.external_id AS uid, SUM(CASE WHEN d.state = ? THEN 1 ELSE 0 END) AS claimed,"+
		" SUM(CASE WHEN d.state = ? THEN 1 ELSE 0 END) AS sent FROM contacts c JOIN deliveries d ON d.contact_id = c.id"+
		" WHERE c.channel_id = ? AND c.external_id IN ? GROUP BY c.external_id",
		DeliveryClaimed, DeliverySent, channelID, list).Scan(&people).Error; err != nil {
		return err
	}
	sent, claimed := map[string]bool{}, map[string]bool{}
	for _, p := range people {
		sent[p.UID], claimed[p.UID] = p.Sent > 0, p.Claimed > 0
	}
	for _, ev := range wms {
		a.found[ev.ID] = a.found[ev.ID] || sent[ev.UserID]
		a.inflight[ev.ID] = claimed[ev.UserID]
	}
	// The people's sent deliveries that this batch can still change, read
	// by the contact index; each takes, per column, the earliest time of
	// the watermarks covering it.
	contacts := map[string]uint64{}
	var cids []uint64
	var cs []struct {
		ExternalID string
		ID         uint64
	}
	if err := tx.Raw("SELECT external_id, id FROM contacts WHERE channel_id = ? AND external_id IN ?", channelID, list).Scan(&cs).Error; err != nil {
		return err
	}
	for _, c := range cs {
		if sent[c.ExternalID] {
			contacts[c.ExternalID] = c.ID
			cids = append(cids, c.ID)
		}
	}
	if len(cids) == 0 {
		return nil
	}
	// A delivery whose times are all at or before the batch's earliest
	// receipt cannot change.
	first := wms[0].OccurredAt
	for _, ev := range wms {
		if ev.OccurredAt.Before(first) {
			first = ev.OccurredAt
		}
	}
	first = first.UTC()
	var ds []struct {
		ID          uint64
		ContactID   uint64
		SentAt      time.Time
		DeliveredAt *time.Time
		ReadAt      *time.Time
	}
	if err := tx.Raw("SELECT id, contact_id, sent_at, delivered_at, read_at FROM deliveries WHERE contact_id IN ? AND state = ?"+
		" AND sent_at IS NOT NULL AND (delivered_at IS NULL OR delivered_at > ? OR read_at IS NULL OR read_at > ?)",
		cids, DeliverySent, first, first).Scan(&ds).Error; err != nil {
		return err
	}
	byContact := map[uint64][]int{}
	for i, d := range ds {
		byContact[d.ContactID] = append(byContact[d.ContactID], i)
	}
	delivered, read := map[uint64]time.Time{}, map[uint64]time.Time{}
	for _, ev := range wms {
		cid, ok := contacts[ev.UserID]
		if !ok {
			continue
		}
		upTo, at := ev.Watermark.UTC().Add(ReceiptWatermarkSlack), ev.OccurredAt.UTC()
		for _, i := range byContact[cid] {
			d := ds[i]
			if d.SentAt.After(upTo) {
				continue
			}
			if t, seen := delivered[d.ID]; !seen || at.Before(t) {
				delivered[d.ID] = at
			}
			if ev.Kind == string(channels.EventRead) {
				if t, seen := read[d.ID]; !seen || at.Before(t) {
					read[d.ID] = at
				}
			}
		}
	}
	if err := a.setTimes("delivered_at", delivered); err != nil {
		return err
	}
	return a.setTimes("read_at", read)
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
