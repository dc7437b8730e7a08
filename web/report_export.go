package web

import (
	"io"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// reportExport downloads the report list for its filter (usually a date
// range) as CSV, UTF-8 with a BOM (GET /broadcasts.csv), through
// streamCSV.
func (s *Server) reportExport(c echo.Context) error {
	loc := s.Workspace().Location()
	f, shown := reportFilter(c.QueryParams(), loc)
	day := s.now().In(loc).Format("2006-01-02")
	name := "broadcasts-" + day + ".csv"
	if shown.From != "" || shown.To != "" {
		name = "broadcasts-" + shown.From + "_" + shown.To + ".csv"
	}
	return s.streamCSV(c, "broadcasts", name, name, func(w io.Writer) (int, error) {
		return models.ExportBroadcasts(s.db, f, w, loc)
	})
}
