package web

import (
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
)

// observe logs every request with slog and counts it in the metrics. It
// resolves handler errors here (c.Error) so the status it records is the
// one the client gets. It logs the path without the query string, which can
// carry webhook verify tokens.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		took := time.Since(start)
		route := c.Path()
		if route == "" || c.Response().Status == 404 && route == "/*" {
			route = "unmatched"
		}
		status := c.Response().Status
		s.metrics.observe(route, c.Request().Method, status, took)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("ms", float64(took.Microseconds())/1000),
			slog.String("ip", c.RealIP()),
		}
		if u := currentUser(c); u != nil {
			attrs = append(attrs, slog.Uint64("user", uint64(u.ID)))
		}
		s.log.LogAttrs(c.Request().Context(), level, "http", attrs...)
		return nil
	}
}
