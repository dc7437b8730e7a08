package web

import (
	"errors"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// contactImportCancel drops a previewed import and its stored file; back to
// the form for the same account.
func (s *Server) contactImportCancel(c echo.Context) error {
	imp, err := s.loadImport(c)
	if err != nil {
		return err
	}
	err = models.CancelContactImport(s.db, imp.ID)
	if errors.Is(err, models.ErrImportState) {
		return redirect(c, importURL(imp.ID))
	}
	if err != nil {
		return err
	}
	s.flash(c, "info", "import.cancelled_done")
	return redirect(c, "/contacts/import?channel="+strconv.FormatUint(uint64(imp.ChannelID), 10))
}
