package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/views/i18n"
)

// languageSwitch remembers a signed-out visitor's language in a cookie.
func (s *Server) languageSwitch(c echo.Context) error {
	lang := c.Param("lang")
	if !i18n.IsSupported(lang) {
		return echo.ErrNotFound
	}
	c.SetCookie(&http.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
	return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next"), "/"))
}
