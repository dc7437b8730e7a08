package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// importMaxSize is the largest CSV file the import page takes: the upload
// route's body limit and the size the form states.
const (
	importMaxSize      = "100M"
	importMaxSizeLabel = "100 MB"
)

// contactImportShow shows the import form, the account from ?channel=
// chosen when it is one of the connected accounts.
func (s *Server) contactImportShow(c echo.Context) error {
	id, _ := parseID(c.QueryParam("channel"))
	return s.renderImportForm(c, http.StatusOK, id, nil)
}

func (s *Server) renderImportForm(c echo.Context, status int, channelID uint, errs views.FormErrors) error {
	list, err := models.ListChannels(s.db)
	if err != nil {
		return err
	}
	f := views.ImportForm{Channel: channelID, Errors: errs, MaxSize: importMaxSizeLabel}
	for _, ch := range list {
		f.Channels = append(f.Channels, views.ImportChannel{ID: ch.ID, Kind: ch.Kind, Name: ch.Name})
	}
	return s.render(c, status, views.ImportPage(s.page(c, "import.title", "contacts"), f))
}
