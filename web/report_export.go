package web

import (
	"bufio"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// reportExport downloads the report list for its filter (usually a date
// range) as CSV, UTF-8 with a BOM (GET /broadcasts.csv). An error before
// the first bytes is an error page; after, the connection is cut so no
// truncated file passes for a whole one.
func (s *Server) reportExport(c echo.Context) error {
	loc := s.Workspace().Location()
	f, shown := reportFilter(c.QueryParams(), loc)
	day := s.now().In(loc).Format("2006-01-02")
	name := "broadcasts-" + day + ".csv"
	if shown.From != "" || shown.To != "" {
		name = "broadcasts-" + shown.From + "_" + shown.To + ".csv"
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, contentDisposition(name, name))
	h.Set("Cache-Control", "no-store")
	w := bufio.NewWriterSize(c.Response(), 64<<10)
	n, err := models.ExportBroadcasts(s.db, f, w, loc)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		if !c.Response().Committed {
			for _, k := range []string{echo.HeaderContentType, echo.HeaderContentDisposition, "Cache-Control"} {
				h.Del(k)
			}
			return fmt.Errorf("web: export broadcasts: %w", err)
		}
		s.log.Error("broadcasts export failed after the download started; connection cut", "rows", n, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}
