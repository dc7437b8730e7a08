package web

import (
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// Form errors of the import page (catalogue ids).
var errImportNoFile = errors.New("error.import_no_file")

// contactImportCreate takes an uploaded CSV file. A file that cannot be
// imported at all (encoding, header, no rows) is refused on the form;
// otherwise the whole file is read as the import will read it, without
// writing a contact, and stored with that preview for the user to confirm.
func (s *Server) contactImportCreate(c echo.Context) error {
	channelID, _ := parseID(c.FormValue("channel"))
	refuse := func(field string, err error) error {
		return s.renderImportForm(c, http.StatusUnprocessableEntity, channelID, views.FormErrors{field: err.Error()})
	}
	ch, err := models.FindChannel(s.db, channelID)
	if errors.Is(err, models.ErrNotFound) || channelID == 0 {
		return refuse("channel", models.ErrFilterChannel)
	}
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return refuse("file", errImportNoFile)
	}
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	raw, err := io.ReadAll(src)
	if err != nil {
		return err
	}
	file, err := models.ParseContactCSV(raw)
	if models.IsImportFileError(err) {
		return refuse("file", err)
	}
	if err != nil {
		return err
	}
	var userID *uint
	if u := currentUser(c); u != nil {
		userID = &u.ID
	}
	imp, err := models.CreateContactImport(s.db, models.NewContactImport{
		ChannelID: ch.ID, UserID: userID, FileName: filepath.Base(fh.Filename), File: file,
		Timezone: s.Workspace().Timezone, Now: s.now(),
	})
	if err != nil {
		return err
	}
	return redirect(c, importURL(imp.ID))
}

func importURL(id uint64) string { return "/contacts/import/" + strconv.FormatUint(id, 10) }
