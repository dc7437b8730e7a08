package web

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// contactExport downloads the contacts matching the filter in the query
// string (the contact list's own) as CSV: UTF-8 with a BOM for Excel, the
// import's columns, streamed a keyset page at a time (streamCSV), in a
// file named after the account and the day ("台北門市-contacts-2026-12-01.csv").
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
	return s.streamCSV(c, fmt.Sprintf("contacts of channel %d", f.ChannelID), exportFileName(ch.Name, day),
		asciiFileName(ch.Name, fmt.Sprintf("channel-%d", ch.ID), day), func(w io.Writer) (int, error) {
			return models.ExportContacts(c.Request().Context(), s.db, f, w, loc, now)
		})
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
