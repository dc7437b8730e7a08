package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/views"
)

// botPreviewShow re-renders the editor's live preview from the form as
// typed (htmx, on every input): nothing is saved.
func (s *Server) botPreviewShow(c echo.Context) error {
	in := botInput(c)
	if !isBotKind(in.Kind) {
		return echo.ErrBadRequest
	}
	v, err := s.botPreview(in)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.BotPreviewFragment(v))
}
