package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// errCSRF is answered when a state-changing request lacks a valid token.
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "csrf")

// csrf protects every state-changing route: the token travels in the
// hidden _csrf form field or the X-CSRF-Token header that htmx sends. The
// cookie is Secure when the public URL is https; as that is a runtime
// setting, both variants are built and chosen per request.
func (s *Server) csrf() echo.MiddlewareFunc {
	plain, secure := csrfMiddleware(false), csrfMiddleware(true)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		p, sec := plain(next), secure(next)
		return func(c echo.Context) error {
			if s.secureCookies() {
				return sec(c)
			}
			return p(c)
		}
	}
}

func csrfMiddleware(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     csrfCookie,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteLaxMode,
		ContextKey:     "csrf",
		ErrorHandler: func(err error, c echo.Context) error {
			return errCSRF
		},
	})
}

func csrfToken(c echo.Context) string {
	tok, _ := c.Get("csrf").(string)
	return tok
}

// securityHeaders sets the headers every response should carry.
func securityHeaders() echo.MiddlewareFunc {
	return middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:      "0",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		ReferrerPolicy:     "same-origin",
		// htmx injects a small <style> for its indicators, hence style 'unsafe-inline'.
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data: https: http:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
	})
}

func isCSRFError(err error) bool {
	return errors.Is(err, errCSRF)
}
