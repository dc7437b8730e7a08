package web

import (
	"bufio"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
)

// streamCSV answers a CSV download named name (asciiName for clients
// without RFC 5987), written by write a keyset page at a time. Nothing is
// sent until the buffer first fills, so a failure before that is still an
// error page (what wraps it); a failure after the 200 went out cannot
// change it, so the connection is cut: the browser reports a failed
// download instead of saving a truncated file that looks complete.
func (s *Server) streamCSV(c echo.Context, what, name, asciiName string, write func(io.Writer) (int, error)) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, contentDisposition(name, asciiName))
	h.Set("Cache-Control", "no-store")
	w := bufio.NewWriterSize(c.Response(), 64<<10)
	n, err := write(w)
	if err == nil {
		err = w.Flush()
	}
	args := []any{"rows", n}
	if err != nil {
		if !c.Response().Committed {
			for _, k := range []string{echo.HeaderContentType, echo.HeaderContentDisposition, "Cache-Control"} {
				h.Del(k)
			}
			return fmt.Errorf("web: export %s: %w", what, err)
		}
		s.log.Error(what+" export failed after the download started; connection cut", append(args, "err", err)...)
		panic(http.ErrAbortHandler)
	}
	s.log.Info(what+" exported", args...)
	return nil
}
