package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/views"
)

// handleError turns any handler error into a page in the user's language.
// Details of unexpected errors go to the log, never to the browser.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if isAPIRequest(c) {
		s.handleAPIError(err, c)
		return
	}
	code := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
	}
	info := views.ErrorInfo{Code: code, Title: "error.500_title", Message: "error.500_body"}
	switch {
	case isCSRFError(err):
		info.Title, info.Message = "error.csrf_title", "error.csrf_body"
	case code == http.StatusForbidden:
		info.Title, info.Message = "error.403_title", "error.403_body"
	case code == http.StatusNotFound || code == http.StatusMethodNotAllowed:
		info.Title, info.Message = "error.404_title", "error.404_body"
	case code == http.StatusRequestEntityTooLarge:
		info.Title, info.Message = "error.413_title", "error.413_body"
	case code == http.StatusTooManyRequests:
		info.Title, info.Message = "error.429_title", "error.429_body"
	case code < 500:
		info.Title, info.Message = "error.400_title", "error.400_body"
	default:
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	if c.Get(localizedKey) == nil {
		// The error happened before the locale middleware ran (unknown route).
		_ = s.localize(func(echo.Context) error { return nil })(c)
	}
	if err := s.render(c, code, views.ErrorPage(s.page(c, info.Title, ""), info)); err != nil {
		s.log.Error("error page failed", "err", err)
		_ = c.String(code, http.StatusText(code))
	}
}
