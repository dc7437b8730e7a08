package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/views"
)

// areaPage serves the titled page of a section whose screens arrive with
// later work.
func (s *Server) areaPage(titleID, descriptionID, nav string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.render(c, http.StatusOK, views.AreaPage(s.page(c, titleID, nav), views.Area{Title: titleID, Description: descriptionID}))
	}
}
