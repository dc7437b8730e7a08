package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
)

// broadcastEdit opens a saved draft or scheduled broadcast in the
// composer; one that started sending goes to its confirmation page, which
// shows where it is.
func (s *Server) broadcastEdit(c echo.Context) error {
	b, ch, err := s.loadBroadcast(c)
	if err != nil {
		return err
	}
	if !models.CanControl(b, currentUser(c)) {
		return echo.ErrForbidden
	}
	if !b.Editable() {
		s.flash(c, "error", models.ErrBroadcastStarted.Error())
		return redirect(c, "/broadcasts/"+strconv.FormatUint(uint64(b.ID), 10)+"/confirm")
	}
	in, err := inputFromBroadcast(b, s.Workspace().Location())
	if err != nil {
		return err
	}
	st := composerState{ch: ch, b: b, in: in}
	if ch.Kind == channels.KindWhatsApp {
		if st.templates, err = models.ListWATemplates(s.db, ch.ID); err != nil {
			return err
		}
	}
	return s.renderComposer(c, http.StatusOK, st)
}
