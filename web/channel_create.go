package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// channelCreate connects a new account.
func (s *Server) channelCreate(c echo.Context) error {
	var in channelInput
	if err := c.Bind(&in); err != nil || !validKind(in.Kind) {
		return echo.ErrBadRequest
	}
	mi, errs := in.toModel()
	if errs != nil {
		return s.renderChannelForm(c, http.StatusUnprocessableEntity, in.form(0, errs))
	}
	ch, err := models.CreateChannel(s.db, s.sealer, mi)
	if fe, ok := formErrors(err); ok {
		return s.renderChannelForm(c, http.StatusUnprocessableEntity, in.form(0, fe))
	}
	if err != nil {
		return err
	}
	s.log.Info("channel connected", "channel", ch.ID, "kind", ch.Kind)
	s.flash(c, "success", "channel.added")
	return redirect(c, "/channels")
}
