package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views/i18n"
)

// The JSON API (/api/v1) answers JSON only, errors included:
//
//	{"error": {"code": "…", "message": "…", "field": "…"}}
//
// code is a stable snake_case word for programs; message is for people, in
// the request's language (Accept-Language); field names the input at fault,
// or is empty. A 422 also lists every field error under "errors".

const (
	apiPrefix   = "/api/"
	apiTokenKey = "api_token"
)

// apiErrorBody is one error as the API writes it.
type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

// apiFieldError is one field's problem, for apiFieldErrors. MsgID is the
// catalogue id of its message (Args its template data); Code the word
// clients match on.
type apiFieldError struct {
	Field string
	Code  string
	MsgID string
	Args  map[string]any
}

// apiFailure is an error a handler (or apiBind) returns to answer with an
// API error: handleError renders it through apiError.
type apiFailure struct {
	Status int
	Code   string
	Field  string
	MsgID  string
	Args   map[string]any
}

func (e *apiFailure) Error() string {
	return fmt.Sprintf("api: %d %s (field %q)", e.Status, e.Code, e.Field)
}

// apiError answers {"error":{"code","message","field"}} with status; the
// message is msgID translated into the request's language with args.
func apiError(c echo.Context, status int, code, field, msgID string, args map[string]any) error {
	return c.JSON(status, map[string]any{"error": apiErrorBody{Code: code, Field: field, Message: apiMessage(c, msgID, args)}})
}

// apiFieldErrors answers 422: the first error (by field name) as "error",
// and all of them under "errors".
func apiFieldErrors(c echo.Context, errs []apiFieldError) error {
	if len(errs) == 0 {
		return apiError(c, http.StatusUnprocessableEntity, "invalid", "", "api.error.invalid", nil)
	}
	list := make([]apiErrorBody, 0, len(errs))
	for _, e := range errs {
		list = append(list, apiErrorBody{Code: e.Code, Field: e.Field, Message: apiMessage(c, e.MsgID, e.Args)})
	}
	return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": list[0], "errors": list})
}

// apiModelErrors turns a models.FieldErrors (field → message id) into
// field errors, sorted by field; the code is the id's last word
// ("error.name_required" → "name_required"). ok is false for other errors.
func apiModelErrors(err error) ([]apiFieldError, bool) {
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		return nil, false
	}
	out := make([]apiFieldError, 0, len(fe))
	for field, e := range fe {
		id := e.Error()
		out = append(out, apiFieldError{Field: field, Code: id[strings.LastIndex(id, ".")+1:], MsgID: id})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out, true
}

// apiMessage translates for the request (args as template data).
func apiMessage(c echo.Context, msgID string, args map[string]any) string {
	kv := make([]any, 0, 2*len(args))
	for k, v := range args {
		kv = append(kv, k, v)
	}
	return t(c, msgID, kv...)
}

// isAPIRequest tells whether the request wants JSON errors: the JSON API,
// and the image upload of the pages (the composer's script reads them).
func isAPIRequest(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, apiPrefix) || (p == "/uploads" && c.Request().Method == http.MethodPost)
}

// apiToken is the token that authenticated the request (nil outside /api/v1).
func apiToken(c echo.Context) *models.APIToken {
	tok, _ := c.Get(apiTokenKey).(*models.APIToken)
	return tok
}

// apiUser is the owner of the request's token: the API acts as them.
func apiUser(c echo.Context) *models.User { return currentUser(c) }

// apiActor is who the audit trail records for an API request: the token,
// on behalf of its owner.
func apiActor(c echo.Context) models.Actor {
	a := models.Actor{}
	if u := apiUser(c); u != nil {
		a.UserID = u.ID
	}
	if tok := apiToken(c); tok != nil {
		a.TokenID = tok.ID
	}
	return a
}

// apiAuth authenticates "Authorization: Bearer oc_…" on every API request.
// There is no session and so no CSRF: a browser never sends the header on
// its own. The owner is stored as the request's user (currentUser).
func (s *Server) apiAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, secret, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="omnicast"`)
			return &apiFailure{Status: http.StatusUnauthorized, Code: "unauthorized", MsgID: "api.error.unauthorized"}
		}
		tok, u, err := models.AuthenticateToken(s.db, strings.TrimSpace(secret), s.now())
		if errors.Is(err, models.ErrTokenInvalid) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="omnicast", error="invalid_token"`)
			return &apiFailure{Status: http.StatusUnauthorized, Code: "invalid_token", MsgID: "api.error.invalid_token"}
		}
		if err != nil {
			return err
		}
		c.Set(apiTokenKey, tok)
		c.Set(userKey, u)
		return next(c)
	}
}

// apiLocalize picks the API's language from Accept-Language alone (zh-TW
// by default): a program says what it wants on each request.
func (s *Server) apiLocalize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang := s.i18n.Match("", c.Request().Header.Get("Accept-Language"))
		c.SetRequest(c.Request().WithContext(i18n.WithLocalizer(c.Request().Context(), s.i18n.Localizer(lang))))
		c.Response().Header().Set("Content-Language", lang)
		c.Set(localizedKey, true)
		return next(c)
	}
}

// apiBind decodes a JSON body into dst (unknown fields are refused, so a
// misspelt field is not silently ignored), and cleans every string in it
// as cleanForm cleans forms (no NUL bytes, valid UTF-8). A bad body is a
// 400 invalid_json; a body over the limit 413.
func apiBind(c echo.Context, dst any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), echo.MIMEApplicationJSON) {
		return &apiFailure{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", MsgID: "api.error.unsupported_media_type"}
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return apiDecodeFailure(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &apiFailure{Status: http.StatusBadRequest, Code: "invalid_json", MsgID: "api.error.invalid_json_trailing"}
	}
	cleanStrings(reflect.ValueOf(dst))
	return nil
}

// apiDecodeFailure words a JSON decoding error, naming the field when
// the decoder knows it.
func apiDecodeFailure(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return &apiFailure{Status: http.StatusBadRequest, Code: "invalid_json", Field: typeErr.Field,
			MsgID: "api.error.invalid_json_type", Args: map[string]any{"Field": typeErr.Field, "Type": typeErr.Type.String()}}
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		field := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return &apiFailure{Status: http.StatusBadRequest, Code: "unknown_field", Field: field,
			MsgID: "api.error.unknown_field", Args: map[string]any{"Field": field}}
	}
	return &apiFailure{Status: http.StatusBadRequest, Code: "invalid_json", MsgID: "api.error.invalid_json"}
}

// cleanStrings applies models.CleanText to every settable string reachable
// from v (struct fields, pointers, slices, maps of strings).
func cleanStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			cleanStrings(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				cleanStrings(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			cleanStrings(v.Index(i))
		}
	case reflect.Map:
		if v.Type().Elem().Kind() == reflect.String {
			for _, k := range v.MapKeys() {
				v.SetMapIndex(k, reflect.ValueOf(models.CleanText(v.MapIndex(k).String(), 0)).Convert(v.Type().Elem()))
			}
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(models.CleanText(v.String(), 0))
		}
	}
}

// apiStatusCodes words each HTTP error status for the API.
var apiStatusCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "invalid",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusInternalServerError:   "internal",
}

// handleAPIError is handleError for /api/: every error, whether a
// handler's apiFailure, an Echo error (no route, wrong method, body too
// large) or an unexpected one (logged, never shown), answers JSON.
func (s *Server) handleAPIError(err error, c echo.Context) {
	if c.Get(localizedKey) == nil {
		// No API middleware ran (no route matched).
		_ = s.apiLocalize(func(echo.Context) error { return nil })(c)
	}
	var af *apiFailure
	if errors.As(err, &af) {
		_ = apiError(c, af.Status, af.Code, af.Field, af.MsgID, af.Args)
		return
	}
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
	}
	code, known := apiStatusCodes[status]
	switch {
	case isCSRFError(err):
		// Only the pages' upload route has CSRF (the API has none).
		status, code = http.StatusForbidden, "csrf_invalid"
	case status >= 500:
		s.log.Error("api request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		status, code = http.StatusInternalServerError, "internal"
	case !known:
		code = "bad_request"
	}
	_ = apiError(c, status, code, "", "api.error."+code, nil)
}

// apiNoRoute answers a request no API route took: 405 with Allow when the
// path exists for other methods, else 404. (A group's catch-all route
// wins over Echo's own 405, so it is told apart here.)
func (s *Server) apiNoRoute(c echo.Context) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == c.Request().Method {
			continue
		}
		probe := s.echo.NewContext(c.Request(), nil)
		s.echo.Router().Find(m, c.Request().URL.Path, probe)
		if p := probe.Path(); p != "" && !strings.HasSuffix(p, "/*") {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		return echo.ErrNotFound
	}
	c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
	return echo.ErrMethodNotAllowed
}
