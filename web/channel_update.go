package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// channelUpdate saves an edited channel; empty secret fields keep the stored ones.
func (s *Server) channelUpdate(c echo.Context) error {
	ch, err := s.loadChannel(c)
	if err != nil {
		return err
	}
	var in channelInput
	if err := c.Bind(&in); err != nil {
		return echo.ErrBadRequest
	}
	in.Kind = ch.Kind
	rerender := func(errs map[string]string) error {
		form := in.form(ch.ID, errs)
		form.TokenHint, form.SecretHint = ch.TokenHint, ch.SecretHint
		return s.renderChannelForm(c, http.StatusUnprocessableEntity, form)
	}
	mi, errs := in.toModel()
	if errs != nil {
		return rerender(errs)
	}
	_, err = models.UpdateChannel(s.db, s.sealer, ch.ID, mi)
	if fe, ok := formErrors(err); ok {
		return rerender(fe)
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "channel.saved")
	return redirect(c, "/channels")
}
