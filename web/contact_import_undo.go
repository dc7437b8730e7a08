package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// contactImportUndo removes the contacts an import created (not those it
// only updated); the import page then says how many went.
func (s *Server) contactImportUndo(c echo.Context) error {
	imp, err := s.loadImport(c)
	if err != nil {
		return err
	}
	removed, err := models.UndoContactImport(c.Request().Context(), s.db, imp.ID, s.now())
	if errors.Is(err, models.ErrImportNoUndo) {
		s.flash(c, "error", err.Error())
		return redirect(c, importURL(imp.ID))
	}
	if err != nil {
		return err
	}
	s.log.Info("contacts import undone", "import", imp.ID, "channel", imp.ChannelID, "removed", removed)
	return redirect(c, importURL(imp.ID))
}
