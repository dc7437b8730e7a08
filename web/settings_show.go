package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"omnicast/views"
)

// commonTimezones are offered first in the picker: our users' region, then
// the world's business hubs.
func commonTimezones() []string {
	return []string{
		"Asia/Taipei", "Asia/Hong_Kong", "Asia/Macau", "Asia/Shanghai", "Asia/Singapore",
		"Asia/Kuala_Lumpur", "Asia/Tokyo", "Asia/Seoul", "Asia/Bangkok", "Asia/Ho_Chi_Minh",
		"Asia/Jakarta", "Asia/Manila", "Asia/Kolkata", "Asia/Dubai", "Australia/Sydney",
		"Pacific/Auckland", "Europe/London", "Europe/Paris", "Europe/Berlin",
		"America/New_York", "America/Chicago", "America/Los_Angeles", "America/Vancouver", "UTC",
	}
}

// settingsShow shows the workspace settings.
func (s *Server) settingsShow(c echo.Context) error {
	w := s.Workspace()
	return s.renderSettings(c, http.StatusOK, views.SettingsForm{Timezone: w.Timezone, PublicURL: w.PublicURL})
}

func (s *Server) renderSettings(c echo.Context, status int, form views.SettingsForm) error {
	form.Timezones = commonTimezones()
	if form.Timezone != "" && !slices.Contains(form.Timezones, form.Timezone) {
		form.Timezones = append([]string{form.Timezone}, form.Timezones...)
	}
	return s.render(c, status, views.SettingsPage(s.page(c, "settings.title", "settings"), form))
}
