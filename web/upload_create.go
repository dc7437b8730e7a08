package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// uploadBodyLimit is the body limit of the image upload routes: the
// largest image plus room for the multipart framing. A larger image
// inside it is refused by StoreUpload with its own message.
const uploadBodyLimit = "11M"

// uploadJSON is what the composer and the bot editor get for an upload:
// the URLs are paths on this server, for showing the image on the page.
type uploadJSON struct {
	ID          uint   `json:"id"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Bytes       int64  `json:"bytes"`
	URL         string `json:"url,omitempty"`
	PreviewURL  string `json:"preview_url,omitempty"`
}

// uploadCreate takes an image (multipart field "file") from the composer
// or the bot editor and answers JSON, errors included (422 with a message
// in the user's language).
func (s *Server) uploadCreate(c echo.Context) error {
	u, err := s.storeUploadedFile(c)
	if err != nil {
		return err
	}
	img := u.Image("")
	return c.JSON(http.StatusCreated, uploadJSON{ID: u.ID, ContentType: u.ContentType, Width: u.Width, Height: u.Height, Bytes: u.Bytes, URL: img.URL, PreviewURL: img.PreviewURL})
}

// storeUploadedFile stores the request's "file"; refusals are apiFailures
// on the field "file".
func (s *Server) storeUploadedFile(c echo.Context) (*models.Upload, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, &apiFailure{Status: http.StatusUnprocessableEntity, Code: "file_required", Field: "file", MsgID: "upload.error.file_required"}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, models.UploadMaxBytes+1))
	if err != nil {
		return nil, err
	}
	u, err := models.StoreUpload(s.db, s.mediaDir, data, currentUser(c).ID, s.now())
	if code, ok := uploadErrorCode(err); ok {
		return nil, &apiFailure{Status: http.StatusUnprocessableEntity, Code: code, Field: "file", MsgID: err.Error(),
			Args: map[string]any{"MaxMB": models.UploadMaxBytes >> 20}}
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("image uploaded", "upload", u.ID, "type", u.ContentType, "bytes", u.Bytes, "by", u.CreatedBy)
	return u, nil
}

// uploadErrorCode is the API code of an upload refusal.
func uploadErrorCode(err error) (string, bool) {
	for e, code := range map[error]string{
		models.ErrUploadType:     "upload_type",
		models.ErrUploadTooLarge: "upload_too_large",
		models.ErrUploadPixels:   "upload_too_many_pixels",
		models.ErrUploadCorrupt:  "upload_corrupt",
		models.ErrUploadEmpty:    "upload_empty",
	} {
		if errors.Is(err, e) {
			return code, true
		}
	}
	return "", false
}
