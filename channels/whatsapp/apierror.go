package whatsapp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// APIError is an error answer of the Graph API, reduced to what an admin
// needs to read ("the platform said …") and what code needs to classify.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code and Subcode are Graph's error.code and error.error_subcode
	// (e.g. 131047 outside the 24-hour window, 190 invalid token).
	Code    int
	Subcode int
	// Type is Graph's error.type (e.g. OAuthException).
	Type string
	// Message is the platform's own message, or the HTTP status text when
	// the answer carried no Graph error envelope.
	Message string
	// Details is error.error_data.details, Meta's longer explanation.
	Details string
	// TraceID is fbtrace_id, what Meta support asks for.
	TraceID string
}

// Error reads as the platform's message followed by the codes, e.g.
// "(#131047) Re-engagement message: … (HTTP 400, code 131047)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Text())
	fmt.Fprintf(&b, " (HTTP %d", e.Status)
	if e.Code != 0 {
		fmt.Fprintf(&b, ", code %d", e.Code)
	}
	if e.Subcode != 0 {
		fmt.Fprintf(&b, ", subcode %d", e.Subcode)
	}
	if e.TraceID != "" {
		fmt.Fprintf(&b, ", fbtrace_id %s", e.TraceID)
	}
	b.WriteString(")")
	return b.String()
}

// Text is the message in plain words: Message, plus Details when they add
// something.
func (e *APIError) Text() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Details != "" && !strings.Contains(msg, e.Details) {
		msg += ": " + e.Details
	}
	return msg
}

// graphErrorEnvelope is {"error":{...}} as Graph answers every failure.
type graphErrorEnvelope struct {
	Error *struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
		TraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// parseAPIError builds an APIError from any non-2xx answer. A body that is
// not a Graph envelope (a proxy's HTML page, an empty 502) still gives an
// APIError carrying the status and a short excerpt of the body.
func parseAPIError(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	var env graphErrorEnvelope
	if err := json.Unmarshal(body, &env); err == nil && env.Error != nil {
		e.Code = env.Error.Code
		e.Subcode = env.Error.Subcode
		e.Type = env.Error.Type
		e.Message = env.Error.Message
		e.Details = env.Error.ErrorData.Details
		e.TraceID = env.Error.TraceID
		return e
	}
	e.Message = http.StatusText(status)
	if excerpt := excerpt(body, 200); excerpt != "" {
		e.Message += ": " + excerpt
	}
	return e
}

// excerpt returns at most n bytes of body as valid, single-line text.
func excerpt(body []byte, n int) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > n {
		s = s[:n]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return strings.ToValidUTF8(s, "")
}
