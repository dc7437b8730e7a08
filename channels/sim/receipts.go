package sim

import (
	"strconv"
	"time"

	"omnicast/channels"
)

// scheduleReceipts sends, after ReceiptDelay each, a Messenger delivery
// then read receipt, or an Instagram messaging_seen, for a sent message.
func (s *Sim) scheduleReceipts(accountID, personID, mid string) {
	if s.cfg.ReceiptDelay < 0 {
		return
	}
	s.goAsync(func() {
		steps := []string{"delivery", "read"}
		for _, step := range steps {
			if !s.sleep(s.ctx, s.cfg.ReceiptDelay) {
				return
			}
			s.mu.Lock()
			acc := s.account(accountID)
			if acc == nil || acc.WebhookURL == "" {
				s.mu.Unlock()
				return
			}
			now := s.now()
			item := map[string]any{
				"sender":    map[string]string{"id": personID},
				"recipient": map[string]string{"id": acc.ExternalID},
				"timestamp": now.UnixMilli(),
			}
			switch {
			case acc.Kind == channels.KindInstagram:
				if step == "delivery" {
					s.mu.Unlock()
					continue // Instagram has no delivery receipts
				}
				item["read"] = map[string]string{"mid": mid}
			case step == "delivery":
				item["delivery"] = map[string]any{"mids": []string{mid}, "watermark": now.UnixMilli()}
			default:
				item["read"] = map[string]any{"watermark": now.UnixMilli()}
			}
			h, err := newHook(acc, metaEnvelope(acc, now, item))
			s.mu.Unlock()
			if err != nil {
				return
			}
			if err := s.deliver(s.ctx, h); err != nil {
				s.log.Warn("sim: receipt webhook failed", "kind", acc.Kind, "step", step, "err", err)
			}
		}
	})
}

// scheduleWhatsAppStatuses sends the statuses webhooks of a sent message:
// sent, delivered, read — or failed (131026) when the recipient cannot
// get it.
func (s *Sim) scheduleWhatsAppStatuses(accountID, waID, wamid string, undeliverable bool) {
	if s.cfg.ReceiptDelay < 0 {
		return
	}
	steps := []string{"sent", "delivered", "read"}
	if undeliverable {
		steps = []string{"failed"}
	}
	s.goAsync(func() {
		for _, st := range steps {
			if !s.sleep(s.ctx, s.cfg.ReceiptDelay) {
				return
			}
			s.mu.Lock()
			acc := s.account(accountID)
			if acc == nil || acc.WebhookURL == "" {
				s.mu.Unlock()
				return
			}
			now := s.now()
			status := map[string]any{
				"id": wamid, "status": st, "recipient_id": waID,
				"timestamp": strconv.FormatInt(now.Unix(), 10),
			}
			if st == "failed" {
				status["errors"] = []any{map[string]any{
					"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
					"error_data": map[string]string{"details": "Message Undeliverable."},
				}}
			} else {
				status["conversation"] = map[string]any{
					"id":                   "sim-" + waID,
					"expiration_timestamp": strconv.FormatInt(now.Add(24*time.Hour).Unix(), 10),
					"origin":               map[string]string{"type": "marketing"},
				}
				status["pricing"] = map[string]any{"billable": true, "pricing_model": "PMP", "category": "marketing"}
			}
			h, err := newHook(acc, whatsAppEnvelope(acc, map[string]any{"statuses": []any{status}}))
			s.mu.Unlock()
			if err != nil {
				return
			}
			if err := s.deliver(s.ctx, h); err != nil {
				s.log.Warn("sim: status webhook failed", "status", st, "err", err)
			}
		}
	})
}
