package web

import (
	"fmt"
	"io"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// broadcastRecipientsExport downloads a broadcast's recipients (GET
// /broadcasts/:id/recipients.csv?status=&q=) as CSV, UTF-8 with a BOM,
// streamed a keyset page at a time (streamCSV).
func (s *Server) broadcastRecipientsExport(c echo.Context) error {
	r, err := s.loadBroadcastRow(c)
	if err != nil {
		return err
	}
	f, ok := recipientFilterOf(c, r.ID)
	if !ok {
		return echo.ErrBadRequest
	}
	ctx := c.Request().Context()
	loc := s.Workspace().Location()
	day := s.now().In(loc).Format("2006-01-02")
	id := strconv.FormatUint(uint64(r.ID), 10)
	return s.streamCSV(c, fmt.Sprintf("recipients of broadcast %d", r.ID), recipientsFileName(r.Subject, id, day),
		"broadcast-"+id+"-recipients-"+day+".csv", func(w io.Writer) (int, error) {
			return models.ExportRecipients(ctx, s.db, f, w, loc, func(code string) string {
				return reasonWords(ctx, "report.reason.", code)
			})
		})
}

// recipientsFileName is the download's name: the subject (what a file
// system takes of it), "recipients", the day.
func recipientsFileName(subject, id, day string) string {
	name := exportFileName(subject, day) // "<subject>-contacts-<day>.csv"
	if name == "contacts-"+day+".csv" {
		return "broadcast-" + id + "-recipients-" + day + ".csv"
	}
	return name[:len(name)-len("-contacts-"+day+".csv")] + "-recipients-" + day + ".csv"
}
