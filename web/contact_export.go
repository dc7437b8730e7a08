package web

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// contactExport downloads the contacts matching the filter in the query
// string (the contact list's own) as CSV: UTF-8 with a BOM for Excel, the
// import's columns, streamed a keyset page at a time.
func (s *Server) contactExport(c echo.Context) error {
	loc := s.Workspace().Location()
	f, errs := models.ParseContactFilter(c.QueryParams(), loc)
	if errs != nil || f.ChannelID == 0 {
		return echo.ErrBadRequest
	}
	if _, err := models.FindChannel(s.db, f.ChannelID); errors.Is(err, models.ErrNotFound) {
		return echo.ErrNotFound
	} else if err != nil {
		return err
	}
	now := s.now()
	name := fmt.Sprintf("contacts-%d-%s.csv", f.ChannelID, now.In(loc).Format("2006-01-02"))
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := bufio.NewWriterSize(c.Response(), 64<<10)
	n, err := models.ExportContacts(c.Request().Context(), s.db, f, w, loc, now)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		// The status is sent: all we can do is log and cut the download short.
		s.log.Error("contacts export failed", "channel", f.ChannelID, "rows", n, "err", err)
		return nil
	}
	s.log.Info("contacts exported", "channel", f.ChannelID, "rows", n)
	return nil
}
