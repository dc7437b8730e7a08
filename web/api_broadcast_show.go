package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// apiBroadcastShow is GET /api/v1/broadcasts/:id: the broadcast, its
// content as composed, and its figures (counted now for a draft, from
// the frozen deliveries once confirmed; "frozen" follows the freeze).
func (s *Server) apiBroadcastShow(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return apiError(c, http.StatusNotFound, "not_found", "id", "api.error.not_found", nil)
	}
	b, err := models.FindBroadcast(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return apiError(c, http.StatusNotFound, "not_found", "id", "api.error.not_found", nil)
	}
	if err != nil {
		return err
	}
	figures, err := models.BroadcastFigures(s.reads, b, s.now(), s.quotaFunc(c.Request().Context()))
	if err != nil && !errors.As(err, new(models.DraftErrors)) {
		return err
	}
	out, err := apiBroadcastOf(b, figures)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
