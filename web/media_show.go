package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// mediaShow serves an uploaded image or its preview to anyone — the
// platforms fetch them without a session. Names are content hashes, so a
// file never changes: it is cached for a year.
func (s *Server) mediaShow(c echo.Context) error {
	name := c.Param("name")
	f, err := models.ReadMedia(s.db, s.mediaDir, name)
	if errors.Is(err, models.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+name+`"`)
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	if c.Request().Header.Get("If-None-Match") == `"`+name+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(f.Data)))
	if c.Request().Method == http.MethodHead {
		h.Set(echo.HeaderContentType, f.ContentType)
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, f.ContentType, f.Data)
}
