package messenger

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// APIError is a Graph API error answer, decoded from the envelope
// {"error":{"message","type","code","error_subcode","fbtrace_id"}}.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code and Subcode are Meta's error code and error_subcode (0 when absent).
	Code    int
	Subcode int
	// Type is Meta's error type, e.g. "OAuthException".
	Type string
	// Message is Meta's own explanation, shown to admins as is.
	Message string
	// FBTraceID identifies the request for Meta support.
	FBTraceID string
}

// Error reads as "graph API error (HTTP 400, code 100/2018218): <Meta's message>".
func (e *APIError) Error() string {
	code := fmt.Sprint(e.Code)
	if e.Subcode != 0 {
		code += fmt.Sprintf("/%d", e.Subcode)
	}
	return fmt.Sprintf("graph API error (HTTP %d, code %s): %s", e.Status, code, e.Message)
}

// errorEnvelope is the wire shape of a Graph API error.
type errorEnvelope struct {
	Error *struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// decodeAPIError builds an APIError from a non-2xx answer. A body that is not
// the documented envelope (a proxy's HTML page, say) still yields an error
// carrying the HTTP status, so classification can fall back on it.
func decodeAPIError(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	var env errorEnvelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		e.Code, e.Subcode = env.Error.Code, env.Error.Subcode
		e.Type, e.Message, e.FBTraceID = env.Error.Type, env.Error.Message, env.Error.FBTraceID
	}
	if strings.TrimSpace(e.Message) == "" {
		e.Message = http.StatusText(status)
		if e.Message == "" {
			e.Message = "unexpected answer"
		}
	}
	return e
}
