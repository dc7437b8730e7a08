package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// botCreate saves a new module, or re-renders the editor with the errors
// (and with more empty rows when "more rows" was pressed).
func (s *Server) botCreate(c echo.Context) error {
	return s.botSave(c, 0)
}

// botSave is the create and update flow: bind, more rows or save,
// re-render on error, redirect to the list on success.
func (s *Server) botSave(c echo.Context, id uint) error {
	in := botInput(c)
	if !isBotKind(in.Kind) {
		return echo.ErrBadRequest
	}
	if c.FormValue("op") == "more" {
		f, err := s.botForm(c, id, in, nil, true)
		if err != nil {
			return err
		}
		return s.renderBotForm(c, http.StatusOK, f)
	}
	_, err := models.SaveBotModule(s.db, id, in, actorOf(c), s.now())
	if fe, ok := formErrors(err); ok {
		f, ferr := s.botForm(c, id, in, fe, false)
		if ferr != nil {
			return ferr
		}
		return s.renderBotForm(c, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "bots.saved")
	return redirect(c, "/bots")
}
