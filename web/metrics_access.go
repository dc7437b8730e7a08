package web

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// metricsAccess keeps /metrics private: it answers loopback clients (a
// Prometheus or an agent on this machine), and others only with
// "Authorization: Bearer <OMNICAST_METRICS_TOKEN>" when a token is set.
func (s *Server) metricsAccess(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if fromLoopback(c) || s.validMetricsToken(c.Request().Header.Get(echo.HeaderAuthorization)) {
			return next(c)
		}
		if s.metricsToken == "" {
			return c.String(http.StatusForbidden, "metrics are served to loopback clients only; set OMNICAST_METRICS_TOKEN to scrape from elsewhere\n")
		}
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="omnicast metrics"`)
		return c.String(http.StatusUnauthorized, "send Authorization: Bearer <OMNICAST_METRICS_TOKEN>\n")
	}
}

// validMetricsToken compares the bearer token in constant time.
func (s *Server) validMetricsToken(header string) bool {
	if s.metricsToken == "" {
		return false
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.metricsToken)) == 1
}
