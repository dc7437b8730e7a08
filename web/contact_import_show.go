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

// importRecent is how many recent imports the import page lists.
const importRecent = 10

// contactImportShow shows the import form, the account from ?channel=
// chosen when it is one of the connected accounts, and the latest imports.
func (s *Server) contactImportShow(c echo.Context) error {
	id, _ := parseID(c.QueryParam("channel"))
	return s.renderImportForm(c, http.StatusOK, id, nil)
}

func (s *Server) renderImportForm(c echo.Context, status int, channelID uint, errs views.FormErrors) error {
	list, err := models.ListChannels(s.db)
	if err != nil {
		return err
	}
	f := views.ImportForm{Channel: channelID, Errors: errs, MaxSize: importMaxSizeLabel, Example: models.ContactCSVTemplate()}
	names := map[uint]string{}
	for _, ch := range list {
		f.Channels = append(f.Channels, views.ImportChannel{ID: ch.ID, Kind: ch.Kind, Name: ch.Name})
		names[ch.ID] = ch.Name
	}
	recent, err := models.ListContactImports(s.db, 0, importRecent)
	if err != nil {
		return err
	}
	now, loc := s.now(), s.Workspace().Location()
	for _, imp := range recent {
		f.Recent = append(f.Recent, views.ImportSummary{
			ID: imp.ID, ChannelName: names[imp.ChannelID], FileName: imp.FileName, State: imp.StateAt(now),
			When: imp.CreatedAt.In(loc).Format("2006-01-02 15:04"), Total: imp.TotalRows,
			Created: imp.Created, Updated: imp.Updated, Bad: imp.Bad,
		})
	}
	return s.render(c, status, views.ImportPage(s.page(c, "import.title", "contacts"), f))
}
