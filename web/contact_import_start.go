package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/jobs"
	"omnicast/models"
)

// Reasons a confirmation is refused (catalogue ids).
var (
	// errImportNothingGood: a file none of whose rows can be imported.
	errImportNothingGood = errors.New("error.import_nothing_good")
	// errImportChannelGone: the account was removed since the upload.
	errImportChannelGone = errors.New("error.import_channel_gone")
)

// contactImportStart confirms a previewed import and queues it for the
// background worker. When more than half of the file's rows will fail, the
// first confirmation only asks again (a file of junk under a valid header
// once created thousands of garbage contacts without a question); the
// second, with confirm_bad=1, goes ahead.
func (s *Server) contactImportStart(c echo.Context) error {
	imp, err := s.loadImport(c)
	if err != nil {
		return err
	}
	if imp.State != models.ImportPreviewState {
		return redirect(c, importURL(imp.ID))
	}
	v, err := s.importView(imp)
	if err != nil {
		return err
	}
	if _, err := models.FindChannel(s.db, imp.ChannelID); errors.Is(err, models.ErrNotFound) {
		if err := models.CancelContactImport(s.db, imp.ID); err != nil && !errors.Is(err, models.ErrImportState) {
			return err
		}
		v.State, v.Error = models.ImportCancelled, errImportChannelGone.Error()
		return s.renderImport(c, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	switch {
	case v.Preview.Good() == 0:
		v.Error = errImportNothingGood.Error()
		return s.renderImport(c, http.StatusUnprocessableEntity, v)
	case v.Preview.MostlyBad && c.FormValue("confirm_bad") != "1":
		v.AskAgain = true
		return s.renderImport(c, http.StatusOK, v)
	}
	err = models.QueueContactImport(s.db, imp.ID, s.now())
	switch {
	case errors.Is(err, models.ErrImportBusy):
		v.Error = err.Error()
		return s.renderImport(c, http.StatusConflict, v)
	case errors.Is(err, models.ErrImportState):
		return redirect(c, importURL(imp.ID))
	case err != nil:
		return err
	}
	s.wake(jobs.WorkerImports)
	return redirect(c, importURL(imp.ID))
}
