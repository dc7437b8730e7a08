package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// apiUploadCreate is POST /api/v1/uploads: a multipart image ("file") →
// {"id","width","height","bytes"} (and its content_type); the id goes
// into a broadcast's image message or a carousel card.
func (s *Server) apiUploadCreate(c echo.Context) error {
	u, err := s.storeUploadedFile(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, uploadJSON{ID: u.ID, ContentType: u.ContentType, Width: u.Width, Height: u.Height, Bytes: u.Bytes})
}
