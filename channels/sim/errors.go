package sim

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"
)

// graphError is the Graph API error envelope's inner object.
type graphError struct {
	Message      string         `json:"message"`
	Type         string         `json:"type"`
	Code         int            `json:"code"`
	ErrorSubcode int            `json:"error_subcode,omitempty"`
	IsTransient  bool           `json:"is_transient,omitempty"`
	ErrorUser    string         `json:"error_user_title,omitempty"`
	ErrorUserMsg string         `json:"error_user_msg,omitempty"`
	ErrorData    map[string]any `json:"error_data,omitempty"`
	FBTraceID    string         `json:"fbtrace_id"`
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// graphFail answers a Graph API error.
func (s *Sim) graphFail(w http.ResponseWriter, status int, e graphError) {
	if e.Type == "" {
		e.Type = "OAuthException"
	}
	e.FBTraceID = s.fbtraceID()
	w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "`+errName(e.Code)+`" "`+e.Message+`"`)
	writeJSON(w, status, map[string]any{"error": e})
}

// errName is the WWW-Authenticate error token Graph uses.
func errName(code int) string {
	if code == 190 {
		return "invalid_token"
	}
	return "invalid_request"
}

// whatsAppFail answers a Cloud API error: the Graph envelope with
// error_data.details.
func (s *Sim) whatsAppFail(w http.ResponseWriter, status, code int, msg, details string) {
	s.graphFail(w, status, graphError{
		Message: "(#" + strconv.Itoa(code) + ") " + msg,
		Code:    code,
		ErrorData: map[string]any{
			"messaging_product": "whatsapp",
			"details":           details,
		},
	})
}

// graphAuthFail answers Meta's invalid-token error.
func (s *Sim) graphAuthFail(w http.ResponseWriter) {
	s.graphFail(w, http.StatusUnauthorized, graphError{
		Message: "Invalid OAuth access token.", Code: 190,
	})
}

// lineDetail is one entry of a LINE error's details.
type lineDetail struct {
	Message  string `json:"message"`
	Property string `json:"property"`
}

// lineFail answers a LINE error.
func lineFail(w http.ResponseWriter, status int, msg string, details ...lineDetail) {
	body := map[string]any{"message": msg}
	if len(details) > 0 {
		body["details"] = details
	}
	writeJSON(w, status, body)
}

// lineBadRequest answers LINE's validation error for details.
func lineBadRequest(w http.ResponseWriter, details ...lineDetail) {
	msg := "The request body has " + strconv.Itoa(len(details)) + " error(s)"
	lineFail(w, http.StatusBadRequest, msg, details...)
}

// setRetryAfter sets Retry-After in whole seconds (at least 1).
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	sec := int(math.Ceil(d.Seconds()))
	if sec < 1 {
		sec = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(sec))
}
