package web

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// broadcastRecipientsExport downloads a broadcast's recipients (GET
// /broadcasts/:id/recipients.csv?status=&q=) as CSV, UTF-8 with a BOM,
// streamed a keyset page at a time. As with the contacts export, a
// failure before the first bytes is an error page, and after them cuts
// the connection so that no truncated file looks complete.
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
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, contentDisposition(
		recipientsFileName(r.Subject, id, day), "broadcast-"+id+"-recipients-"+day+".csv"))
	h.Set("Cache-Control", "no-store")
	w := bufio.NewWriterSize(c.Response(), 64<<10)
	n, err := models.ExportRecipients(ctx, s.db, f, w, loc, func(code string) string {
		return reasonWords(ctx, "report.reason.", code)
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		if !c.Response().Committed {
			for _, k := range []string{echo.HeaderContentType, echo.HeaderContentDisposition, "Cache-Control"} {
				h.Del(k)
			}
			return fmt.Errorf("web: export recipients of broadcast %d: %w", r.ID, err)
		}
		s.log.Error("recipients export failed after the download started; connection cut", "broadcast", r.ID, "rows", n, "err", err)
		panic(http.ErrAbortHandler)
	}
	s.log.Info("recipients exported", "broadcast", r.ID, "rows", n)
	return nil
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
