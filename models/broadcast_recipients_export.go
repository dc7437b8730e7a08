package models

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"
)

// RecipientCSVHeader names the recipients export's columns (stable,
// English, for spreadsheets and scripts).
var RecipientCSVHeader = []string{"contact_name", "external_id", "status", "reason", "sent_at", "delivered_at", "read_at", "clicked_at"}

// ExportRecipients writes f's recipients as CSV (UTF-8 with a BOM), in
// delivery order, times in loc, a keyset page at a time; reasonWords
// turns a reason code into words ("" codes stay empty). It returns the
// rows written; ctx ends it between pages (the download was abandoned).
func ExportRecipients(ctx context.Context, db *gorm.DB, f RecipientFilter, w io.Writer, loc *time.Location,
	reasonWords func(string) string) (int, error) {
	if _, err := io.WriteString(w, CSVBOM); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(RecipientCSVHeader); err != nil {
		return 0, err
	}
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04:05")
	}
	n := 0
	err := EachRecipient(db.WithContext(ctx), f, func(r Recipient) error {
		reason := ""
		if r.Reason != "" {
			reason = reasonWords(r.Reason)
		}
		n++
		if err := cw.Write([]string{protectCell(r.Name), protectCell(r.ExternalID), r.Stage(), protectCell(reason),
			at(r.SentAt), at(r.DeliveredAt), at(r.ReadAt), at(r.ClickedAt)}); err != nil {
			return err
		}
		if n%MaxRecipientsPage == 0 {
			cw.Flush()
			return cw.Error()
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("models: export recipients of broadcast %d: %w", f.BroadcastID, err)
	}
	cw.Flush()
	return n, cw.Error()
}
