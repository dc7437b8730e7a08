package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// healthz answers while the process is alive.
func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok")
}

// readyz answers 200 only while the database is reachable.
func (s *Server) readyz(c echo.Context) error {
	if err := models.Ping(s.db); err != nil {
		s.log.Warn("not ready", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unreachable")
	}
	return c.String(http.StatusOK, "ready")
}
