package web

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// formMemory is how much of a multipart body is kept in memory; the rest
// (uploaded files) goes to temporary files. It is what Echo and net/http
// use when they parse a form themselves.
const formMemory = 32 << 20

// cleanForm reads the form of every state-changing request once, before
// anything else looks at it, and makes its values safe to store: NUL bytes
// (which PostgreSQL refuses in text, answering 500) are removed and
// invalid UTF-8 is repaired, in every field of every form, including the
// unauthenticated sign-in and set-up forms. Handlers, Bind and the CSRF
// check all read the parsed form afterwards. A body over the route's limit
// — announced or, when sent chunked, found while reading — answers 413.
func (s *Server) cleanForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		kind := formKind(req)
		if kind == "" {
			return next(c)
		}
		if err := parseForm(req, kind); err != nil {
			return err
		}
		cleanValues(req.Form)
		cleanValues(req.PostForm)
		if req.MultipartForm != nil {
			cleanValues(req.MultipartForm.Value)
		}
		return next(c)
	}
}

// formKind tells whether the request carries a form to parse, and which.
func formKind(req *http.Request) string {
	switch req.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return ""
	}
	ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if ct == echo.MIMEApplicationForm || ct == echo.MIMEMultipartForm {
		return ct
	}
	return ""
}

// parseForm parses an urlencoded or multipart body, telling a body over
// the limit (413) from a malformed one (400). (ParseMultipartForm alone
// would hide the error of an urlencoded body behind ErrNotMultipart.)
func parseForm(req *http.Request, kind string) error {
	var err error
	if kind == echo.MIMEMultipartForm {
		err = req.ParseMultipartForm(formMemory)
	} else {
		err = req.ParseForm()
	}
	if err == nil {
		return nil
	}
	var tooLarge *http.MaxBytesError
	if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) || errors.As(err, &tooLarge) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return echo.ErrStatusRequestEntityTooLarge
	}
	return echo.NewHTTPError(http.StatusBadRequest, "malformed form").SetInternal(err)
}

func cleanValues(v map[string][]string) {
	for key, values := range v {
		for i, val := range values {
			values[i] = models.CleanText(val, 0)
		}
		v[key] = values
	}
}
