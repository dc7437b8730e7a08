package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// contactTesterSet marks a contact as a tester of its channel or unmarks
// it (row menu 設為測試人員 / 取消測試人員; the channel page's remove
// button, which names from=channel to come back there).
func (s *Server) contactTesterSet(c echo.Context) error {
	ch, id, err := rowTarget(c)
	if err != nil {
		return err
	}
	tester := c.FormValue("tester") == "true"
	err = models.SetChannelTester(s.db, ch, id, tester)
	msg := "promo.tester_unmarked"
	if tester {
		msg = "promo.tester_marked"
	}
	if c.FormValue("from") != "channel" {
		return s.afterRowAction(c, err, msg)
	}
	switch {
	case err == nil:
		s.flash(c, "success", msg)
	case errors.Is(err, models.ErrNotFound):
		s.flash(c, "error", "error.not_found")
	default:
		return err
	}
	return redirect(c, channelPagePath(ch))
}
