package models

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// BroadcastCSVHeader names the report export's columns (stable, English,
// for spreadsheets and scripts).
var BroadcastCSVHeader = []string{"id", "subject", "channel", "account", "status", "send_time", "method", "creator",
	"audience", "sent", "delivered", "read", "failed", "skipped", "uncertain", "clicked", "replied"}

// ExportBroadcasts writes the broadcasts matching f as CSV (UTF-8 with a
// BOM), newest first, times in loc. It returns the rows written.
func ExportBroadcasts(db *gorm.DB, f BroadcastListFilter, w io.Writer, loc *time.Location) (int, error) {
	if _, err := io.WriteString(w, CSVBOM); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(BroadcastCSVHeader); err != nil {
		return 0, err
	}
	n := 0
	num := func(v int64) string { return strconv.FormatInt(v, 10) }
	err := EachBroadcast(db, f, func(r BroadcastListRow) error {
		n++
		return cw.Write([]string{strconv.FormatUint(uint64(r.ID), 10), protectCell(r.Subject), r.ChannelKind, protectCell(r.ChannelName),
			r.Status, r.SendTime().In(loc).Format("2006-01-02 15:04"), r.Method, protectCell(r.CreatorName),
			num(r.AudienceCount), num(r.SentCount), num(r.DeliveredCount), num(r.ReadCount), num(r.FailedCount),
			num(r.SkippedCount), num(r.UncertainCount), num(r.ClickedCount), num(r.RepliedCount)})
	})
	if err != nil {
		return n, fmt.Errorf("models: export broadcasts: %w", err)
	}
	cw.Flush()
	return n, cw.Error()
}
