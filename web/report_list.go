package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// reportPageSize is how many broadcasts one page of the report lists.
const reportPageSize = 50

// reportList is the 報告 tab (GET /broadcasts): the broadcasts matching
// the filter, newest first, a page at a time by cursor.
func (s *Server) reportList(c echo.Context) error {
	loc := s.Workspace().Location()
	f, shown := reportFilter(c.QueryParams(), loc)
	after, _ := parseID(c.QueryParam("after"))
	rows, next, err := models.ListBroadcasts(s.db, f, after, reportPageSize)
	if err != nil {
		return err
	}
	d := views.ReportPage{CSS: s.assets.URL("css/report.css"), Filter: shown}
	if len(rows) == 0 && after == 0 {
		some, _, err := models.ListBroadcasts(s.db, models.BroadcastListFilter{}, 0, 1)
		if err != nil {
			return err
		}
		d.NoneAtAll = len(some) == 0
	}
	if err := s.reportChoices(&d); err != nil {
		return err
	}
	u := currentUser(c)
	for i := range rows {
		d.Rows = append(d.Rows, s.reportRow(c, &rows[i], u, "/broadcasts?"+c.QueryString()))
	}
	q := reportQuery(shown)
	if next != 0 {
		nq := reportQuery(shown)
		nq.Set("after", strconv.FormatUint(uint64(next), 10))
		d.NextHref = "/broadcasts?" + nq.Encode()
	}
	d.ExportHref = "/broadcasts.csv?" + q.Encode()
	return s.render(c, http.StatusOK, views.ReportList(s.page(c, "nav.broadcasts", "broadcasts"), d))
}

// reportChoices fills the account and creator filters.
func (s *Server) reportChoices(d *views.ReportPage) error {
	chs, err := models.ListChannels(s.db)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		d.Channels = append(d.Channels, views.ReportOption{Value: strconv.FormatUint(uint64(ch.ID), 10), Label: ch.Name, Kind: ch.Kind})
	}
	users, err := models.ListUsers(s.db)
	if err != nil {
		return err
	}
	for _, u := range users {
		d.Creators = append(d.Creators, views.ReportOption{Value: strconv.FormatUint(uint64(u.ID), 10), Label: u.Name})
	}
	return nil
}
