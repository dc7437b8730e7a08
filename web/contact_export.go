package web

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// contactExport downloads the contacts matching the filter in the query
// string (the contact list's own) as CSV: UTF-8 with a BOM for Excel, the
// import's columns, streamed a keyset page at a time, in a file named after
// the account and the day ("台北門市-contacts-2026-12-01.csv").
//
// A failure before the first bytes went out answers with an error page. A
// failure after that cannot change the 200 already sent, so the connection
// is cut: the browser then reports a failed download instead of saving a
// truncated file that looks complete.
func (s *Server) contactExport(c echo.Context) error {
	loc := s.Workspace().Location()
	f, errs := models.ParseContactFilter(c.QueryParams(), loc)
	if errs != nil || f.ChannelID == 0 {
		return echo.ErrBadRequest
	}
	ch, err := models.FindChannel(s.db, f.ChannelID)
	if errors.Is(err, models.ErrNotFound) {
		return echo.ErrNotFound
	} else if err != nil {
		return err
	}
	now := s.now()
	day := now.In(loc).Format("2006-01-02")
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, contentDisposition(
		exportFileName(ch.Name, day), asciiFileName(ch.Name, fmt.Sprintf("channel-%d", ch.ID), day)))
	h.Set("Cache-Control", "no-store")
	// Nothing is sent until the buffer first fills: an early failure can
	// still become an error page.
	w := bufio.NewWriterSize(c.Response(), 64<<10)
	n, err := models.ExportContacts(c.Request().Context(), s.db, f, w, loc, now)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		if !c.Response().Committed {
			for _, k := range []string{echo.HeaderContentType, echo.HeaderContentDisposition, "Cache-Control"} {
				h.Del(k)
			}
			return fmt.Errorf("web: export contacts of channel %d: %w", f.ChannelID, err)
		}
		s.log.Error("contacts export failed after the download started; connection cut", "channel", f.ChannelID, "rows", n, "err", err)
		panic(http.ErrAbortHandler)
	}
	s.log.Info("contacts exported", "channel", f.ChannelID, "rows", n)
	return nil
}

// exportFileName is the download's name: account, "contacts", the day;
// characters no file system takes are dropped, blanks become hyphens.
func exportFileName(account, day string) string {
	name := fileNamePart(account, func(r rune) bool { return unicode.IsPrint(r) && !strings.ContainsRune(`/\:*?"<>|%;`, r) })
	if name == "" {
		return "contacts-" + day + ".csv"
	}
	return name + "-contacts-" + day + ".csv"
}

// asciiFileName is the fallback name for clients without RFC 5987: the
// account's ASCII letters and digits, or the channel id when none remain.
func asciiFileName(account, fallback, day string) string {
	name := fileNamePart(account, func(r rune) bool {
		return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.')
	})
	if strings.Trim(name, "-._") == "" {
		name = fallback
	}
	return name + "-contacts-" + day + ".csv"
}

func fileNamePart(s string, keep func(rune) bool) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsSpace(r):
			dash = b.Len() > 0
		case keep(r):
			if dash {
				b.WriteByte('-')
				dash = false
			}
			b.WriteRune(r)
		}
	}
	return strings.Trim(b.String(), ".")
}

// contentDisposition names a download as RFC 6266 asks: an ASCII filename
// for every client, and the real one (UTF-8, RFC 5987 encoded) in
// filename* for those that read it, which all current browsers do.
func contentDisposition(name, ascii string) string {
	v := `attachment; filename="` + ascii + `"`
	if name != ascii {
		v += "; filename*=UTF-8''" + rfc5987(name)
	}
	return v
}

// rfc5987 percent-encodes every byte that is not an attr-char.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attr, c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
