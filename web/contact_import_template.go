package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// contactImportTemplate downloads the example file: the columns and two
// contacts, UTF-8 with a BOM so Excel shows the Chinese name.
func (s *Server) contactImportTemplate(c echo.Context) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, contentDisposition("contacts-template.csv", "contacts-template.csv"))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(models.CSVBOM+models.ContactCSVTemplate()))
}
