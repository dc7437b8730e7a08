package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// channelTagUnlock lifts a channel's tag lock after an admin's review
// (admins only, by the route table); the unlock is audited.
func (s *Server) channelTagUnlock(c echo.Context) error {
	ch, err := s.loadChannel(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if err := models.UnlockTaggedBroadcasts(s.db, ch.ID, models.Actor{UserID: u.ID}, s.now()); err != nil {
		return err
	}
	s.log.Info("tagged broadcasts unlocked", "channel", ch.ID, "user", u.ID)
	s.flash(c, "success", "promo.unlocked")
	return redirect(c, channelPagePath(ch.ID))
}

// channelPagePath is an account's page.
func channelPagePath(id uint) string {
	return "/channels/" + strconv.FormatUint(uint64(id), 10)
}
