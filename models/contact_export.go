package models

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"
)

// CSVBOM starts every exported file, so that Excel reads it as UTF-8.
const CSVBOM = "\uFEFF"

// ExportBatch is the contacts read per keyset page while exporting.
const ExportBatch = 1000

// ExportContacts writes the contacts matching f as CSV (UTF-8 with a BOM,
// CRLF line ends, the ContactCSVColumns header) to w, in the list's order.
// It walks the list by keyset, a page at a time, and streams: memory does
// not grow with the list. Times are RFC 3339 in loc; phone numbers are in
// international format; cells a spreadsheet would run as a formula are
// protected (protectCell). It returns the number of contacts written.
func ExportContacts(ctx context.Context, db *gorm.DB, f ContactFilter, w io.Writer, loc *time.Location, now time.Time) (int, error) {
	if f.ChannelID == 0 {
		return 0, ErrFilterChannel
	}
	if loc == nil {
		loc = time.UTC
	}
	if _, err := io.WriteString(w, CSVBOM); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(ContactCSVColumns()); err != nil {
		return 0, err
	}
	n := 0
	after := ""
	rec := make([]string, len(ContactCSVColumns()))
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		page, err := ListContactPage(db, f, after, "", ExportBatch, now)
		if err != nil {
			return n, fmt.Errorf("models: export contacts: %w", err)
		}
		for _, c := range page.Contacts {
			fillExportRecord(rec, c, loc)
			if err := cw.Write(rec); err != nil {
				return n, err
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
		if page.Next == "" {
			return n, nil
		}
		after = page.Next
	}
}

func fillExportRecord(rec []string, c ContactWithTags, loc *time.Location) {
	tags := make([]string, len(c.Tags))
	for i, t := range c.Tags {
		tags[i] = protectCell(t)
	}
	rec[0] = protectCell(c.ExternalID)
	rec[1] = protectCell(c.Name)
	rec[2] = protectPhoneCell(FormatPhone(c.Phone))
	rec[3] = "false"
	if c.Subscribed {
		rec[3] = "true"
	}
	rec[4] = csvTime(c.SubscribedAt, loc)
	rec[5] = csvTime(c.LastInteractionAt, loc)
	rec[6] = strings.Join(tags, CSVTagSeparator)
}

func csvTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}
