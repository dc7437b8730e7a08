package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

type settingsInput struct {
	Timezone  string `form:"timezone"`
	PublicURL string `form:"public_url"`
}

// settingsUpdate saves the workspace settings.
func (s *Server) settingsUpdate(c echo.Context) error {
	var in settingsInput
	if err := c.Bind(&in); err != nil {
		return echo.ErrBadRequest
	}
	err := models.SaveWorkspace(s.db, models.Workspace{Timezone: in.Timezone, PublicURL: in.PublicURL})
	if fe, ok := formErrors(err); ok {
		form := views.SettingsForm{Timezone: in.Timezone, PublicURL: in.PublicURL, Errors: fe}
		return s.renderSettings(c, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	if err := s.reloadWorkspace(); err != nil {
		return err
	}
	s.flash(c, "success", "settings.saved")
	return redirect(c, "/settings")
}
