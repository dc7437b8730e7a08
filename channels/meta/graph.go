package meta

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// APIError is a Graph API error answer (Messenger, Instagram, WhatsApp),
// decoded once from the envelope
// {"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id"}}
// and reduced to what code classifies and what an admin reads.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code and Subcode are Graph's error.code and error.error_subcode (0
	// when absent), e.g. 10/2018278 outside the window, 131047, 190.
	Code    int
	Subcode int
	// Type is Graph's error.type, e.g. "OAuthException".
	Type string
	// Message is Meta's own explanation, shown to admins as is, or the
	// HTTP status text when the answer carried no envelope.
	Message string
	// Details is error.error_data.details (WhatsApp's longer explanation),
	// or a short excerpt of a body that was not an envelope.
	Details string
	// TraceID is fbtrace_id, what Meta support asks for.
	TraceID string
	// Transient is Graph's is_transient hint.
	Transient bool
}

// Error reads as the platform's message followed by the codes, e.g.
// "(#131047) Re-engagement message (HTTP 400, code 131047, fbtrace_id …)".
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

// errorEnvelope is {"error":{...}} as Graph answers every failure.
type errorEnvelope struct {
	Error *struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		Transient bool   `json:"is_transient"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
		TraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// DecodeError builds an APIError from any non-2xx answer. A body that is
// not the envelope (a proxy's HTML page, an empty 502) still gives an
// APIError carrying the status, so classification can fall back on it.
func DecodeError(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	var env errorEnvelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		x := env.Error
		e.Code, e.Subcode, e.Type, e.Transient = x.Code, x.Subcode, x.Type, x.Transient
		e.Message, e.Details, e.TraceID = strings.TrimSpace(x.Message), x.ErrorData.Details, x.TraceID
	} else {
		e.Details = Excerpt(body, 200)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
		if e.Message == "" {
			e.Message = "unexpected answer"
		}
	}
	return e
}

// Excerpt returns at most n bytes of body as valid, single-line text.
func Excerpt(body []byte, n int) string {
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
