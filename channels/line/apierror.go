package line

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"omnicast/channels"
)

// APIError is a non-2xx answer from the Messaging API, decoded from LINE's
// error body {"message","details":[{"message","property"}]}.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Message is LINE's own explanation (e.g. "The request body has 1
	// error(s)"), shown to admins as is.
	Message string
	// Details lists LINE's per-field complaints, when it gives any.
	Details []ErrorDetail
	// RequestID is LINE's X-Line-Request-Id, for LINE support.
	RequestID string
}

// ErrorDetail is one entry of an error body's "details".
type ErrorDetail struct {
	Message  string `json:"message"`
	Property string `json:"property"`
}

// Error reads as "LINE API error (HTTP 400): <message> (<property>: <detail>; …)".
func (e *APIError) Error() string {
	return fmt.Sprintf("LINE API error (HTTP %d): %s", e.Status, e.Text())
}

// Text is LINE's message followed by its details in plain words, without
// the status: what the send report shows.
func (e *APIError) Text() string {
	if len(e.Details) == 0 {
		return e.Message
	}
	parts := make([]string, 0, len(e.Details))
	for _, d := range e.Details {
		switch {
		case d.Property != "" && d.Message != "":
			parts = append(parts, d.Property+": "+d.Message)
		case d.Message != "":
			parts = append(parts, d.Message)
		case d.Property != "":
			parts = append(parts, d.Property)
		}
	}
	if len(parts) == 0 {
		return e.Message
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// errorBody is the wire shape of an error answer. sentMessages appears on a
// 409 to a repeated retry key: the messages the first request sent.
type errorBody struct {
	Message      string        `json:"message"`
	Details      []ErrorDetail `json:"details"`
	SentMessages []sentMessage `json:"sentMessages"`
}

// decodeAPIError builds an APIError from a non-2xx answer. A body that is not
// LINE's error shape (a proxy's HTML page, say) still yields an error with
// the HTTP status and its standard text.
func decodeAPIError(a channels.Answer) *APIError {
	e := &APIError{Status: a.Status}
	if a.Header != nil {
		e.RequestID = a.Header.Get("X-Line-Request-Id")
	}
	var b errorBody
	if json.Unmarshal(a.Body, &b) == nil {
		e.Message, e.Details = strings.TrimSpace(b.Message), b.Details
	}
	if e.Message == "" {
		e.Message = http.StatusText(a.Status)
		if e.Message == "" {
			e.Message = "unexpected answer"
		}
	}
	return e
}
