package web

import (
	"github.com/labstack/echo/v4"

	"omnicast/views/i18n"
)

const localizedKey = "localized"

// localize picks the request's language — the user's saved choice, else the
// language cookie of a signed-out visitor, else Accept-Language, else zh-TW —
// and puts its localizer in the request context for the views.
func (s *Server) localize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		saved := ""
		if u := currentUser(c); u != nil {
			saved = u.Locale
		}
		if saved == "" {
			if ck, err := c.Cookie(langCookie); err == nil {
				saved = ck.Value
			}
		}
		lang := s.i18n.Match(saved, c.Request().Header.Get("Accept-Language"))
		lz := s.i18n.Localizer(lang)
		c.SetRequest(c.Request().WithContext(i18n.WithLocalizer(c.Request().Context(), lz)))
		c.Response().Header().Set("Content-Language", lang)
		c.Set(localizedKey, true)
		return next(c)
	}
}
