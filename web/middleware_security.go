package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// errCSRF is answered when a state-changing request lacks a valid token.
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "csrf")

// csrfHeader and csrfField carry the CSRF token: the header htmx sends, or
// the hidden field of a plain form.
const (
	csrfHeader = "X-CSRF-Token"
	csrfField  = "_csrf"
)

// csrf protects every state-changing route: the token travels in the
// X-CSRF-Token header or in the form body's _csrf field — never in the
// query string, where it would end up in logs, history and Referer
// headers. The cookie is Secure when the public URL is https; as that is a
// runtime setting, both variants are built and chosen per request.
func (s *Server) csrf() echo.MiddlewareFunc {
	plain, secure := csrfMiddleware(false), csrfMiddleware(true)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		p, sec := plain(next), secure(next)
		return func(c echo.Context) error {
			csrfTokenFromBody(c)
			if s.secureCookies() {
				return sec(c)
			}
			return p(c)
		}
	}
}

// csrfTokenFromBody hands the body's _csrf field to the header lookup.
// Echo's "form:" lookup reads Request.Form, which merges in the query
// string, so only the header lookup is configured, and the token is taken
// from the body alone (PostFormValue) when the header is absent.
func csrfTokenFromBody(c echo.Context) {
	req := c.Request()
	if req.Header.Get(csrfHeader) != "" {
		return
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return
	}
	if tok := req.PostFormValue(csrfField); tok != "" {
		req.Header.Set(csrfHeader, tok)
	}
}

// unmatchedRoute is c.Path() of a request that no route matched.
const unmatchedRoute = "/*"

func csrfMiddleware(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		// A request to no route gets its 404, not a CSRF refusal: there is
		// nothing there to protect.
		Skipper:        func(c echo.Context) bool { return c.Path() == unmatchedRoute },
		TokenLookup:    "header:" + csrfHeader,
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

// strictTransportSecurity tells browsers to use https only (HSTS) when the
// workspace's public URL is https. It leaves out includeSubDomains: other
// hosts of the business's domain may not serve https.
func (s *Server) strictTransportSecurity(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.secureCookies() {
			c.Response().Header().Set(echo.HeaderStrictTransportSecurity, "max-age=31536000")
		}
		return next(c)
	}
}

func isCSRFError(err error) bool {
	return errors.Is(err, errCSRF)
}
