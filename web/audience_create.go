package web

import (
	"errors"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// audienceCreate saves the selection as an audience and opens the composer.
func (s *Server) audienceCreate(c echo.Context) error {
	sel, err := s.readSelection(c)
	if err != nil {
		return err
	}
	if !sel.channel.CanBroadcast() {
		s.flash(c, "error", "contacts.instagram_no_broadcast")
		return redirect(c, sel.listURL())
	}
	a, err := models.SaveAudience(s.db, sel.filter, sel.ids, sel.all, currentUser(c).ID, s.now())
	if errors.Is(err, models.ErrAudienceEmpty) {
		s.flash(c, "error", err.Error())
		return redirect(c, sel.listURL())
	}
	if err != nil {
		return err
	}
	return redirect(c, "/broadcasts/new?audience="+strconv.FormatUint(uint64(a.ID), 10))
}
