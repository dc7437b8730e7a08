package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/views"
)

// contactImportProgress shows an import: the whole page, or for htmx's
// polling the progress part alone.
func (s *Server) contactImportProgress(c echo.Context) error {
	job := s.imports.get(c.Param("id"))
	if job == nil {
		if isHTMX(c) {
			// Stop the polling: the server restarted and forgot the import.
			return s.render(c, http.StatusOK, views.ImportMissingFragment())
		}
		return s.render(c, http.StatusNotFound, views.ImportMissingPage(s.page(c, "import.title", "contacts")))
	}
	st := job.status()
	if isHTMX(c) {
		return s.render(c, http.StatusOK, views.ImportProgress(st))
	}
	return s.render(c, http.StatusOK, views.ImportProgressPage(s.page(c, "import.title", "contacts"), st))
}
