package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/views/layout"
)

// demoProgressShow answers the demo banner's polling.
func (s *Server) demoProgressShow(c echo.Context) error {
	running, done, total, failed := s.demo.snapshot()
	return s.render(c, http.StatusOK, layout.DemoBanner(layout.DemoStatus{Running: running, Done: done, Total: total, Failed: failed}))
}
