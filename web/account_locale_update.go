package web

import (
	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views/i18n"
)

type localeInput struct {
	Locale string `form:"locale"`
	Next   string `form:"next"`
}

// accountLocaleUpdate saves the signed-in user's language.
func (s *Server) accountLocaleUpdate(c echo.Context) error {
	var in localeInput
	if err := c.Bind(&in); err != nil || !i18n.IsSupported(in.Locale) {
		return echo.ErrBadRequest
	}
	if err := models.SetUserLocale(s.db, currentUser(c).ID, in.Locale); err != nil {
		return err
	}
	return redirect(c, safeNext(in.Next, "/contacts"))
}
