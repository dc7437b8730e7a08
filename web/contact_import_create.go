package web

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// Form errors of the import page (catalogue ids).
var errImportNoFile = errors.New("error.import_no_file")

// contactImportCreate takes an uploaded CSV file: the whole file is
// checked first (encoding, header, at least one row) and refused on the
// form if it cannot be imported at all; otherwise it is imported in the
// background and the browser goes to the progress page.
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
	// The upload's own temporary file goes when this request ends; the
	// import outlives it, so it reads a copy.
	tmp, err := os.CreateTemp("", "omnicast-import-*.csv")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, src); err != nil {
		return err
	}
	file, err := models.OpenContactCSV(tmp)
	if isImportFileError(err) {
		return refuse("file", err)
	}
	if err != nil {
		return err
	}
	job, err := s.imports.start(ch.ID, ch.Name, filepath.Base(fh.Filename), file.Rows, s.now())
	if errors.Is(err, errImportRunning) {
		return refuse("channel", err)
	}
	if err != nil {
		return err
	}
	keep = true
	go s.runImport(job, file, tmp)
	return redirect(c, "/contacts/import/"+job.id)
}

func isImportFileError(err error) bool {
	for _, e := range models.ImportFileErrors() {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
