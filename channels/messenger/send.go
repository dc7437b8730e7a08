package messenger

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"

	"omnicast/channels"
)

// sendRequest is the Send API request body.
type sendRequest struct {
	Recipient     recipient `json:"recipient"`
	MessagingType string    `json:"messaging_type"`
	Tag           string    `json:"tag,omitempty"`
	Message       Message   `json:"message"`
}

type recipient struct {
	ID string `json:"id"`
}

// sendResponse is the Send API success body.
type sendResponse struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// Send delivers msg to the person with Page-scoped id psid and classifies
// the answer. It never returns an error: everything the dispatcher needs
// (outcome, reason, pause/stop signals, Meta's own text) is in the result.
//
// Send makes exactly one request and never retries by itself: Meta has no
// idempotency key, so only the caller, which persists delivery state, may
// decide to try again, and only for channels.Retryable.
func (c *Client) Send(ctx context.Context, psid string, msg Message, opts SendOptions) channels.SendResult {
	if c.token == "" {
		return channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonInvalidToken,
			Detail: "no Page access token configured", PauseChannel: true}
	}
	if psid == "" {
		return badRequest("empty recipient id")
	}
	mtype, tag, err := opts.messagingType()
	if err != nil {
		return badRequest(err.Error())
	}
	if err := msg.Validate(); err != nil {
		return badRequest(err.Error())
	}
	body, err := json.Marshal(sendRequest{Recipient: recipient{ID: psid}, MessagingType: mtype, Tag: tag, Message: msg})
	if err != nil {
		return badRequest("encoding request: " + err.Error())
	}

	// wrote records whether the request headers left this process. Before
	// that, Meta cannot have acted on the request and a retry is safe;
	// after it, a failure leaves the outcome unknown.
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost,
		c.url("me", "messages", nil), bytes.NewReader(body))
	if err != nil {
		return badRequest("building request: " + redact(err).Error())
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := c.http.Do(req)
	if err != nil {
		return classifyTransport(redact(err), wrote.Load())
	}
	defer resp.Body.Close()
	answer, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var ok sendResponse
		res := channels.SendResult{Outcome: channels.Sent, HTTPStatus: resp.StatusCode}
		if readErr != nil || json.Unmarshal(answer, &ok) != nil {
			// The status says Meta accepted the message; only its id is lost.
			res.Detail = "accepted, but the answer could not be read"
			return res
		}
		res.ProviderMessageID = ok.MessageID
		return res
	}
	return classifyAPIError(decodeAPIError(resp.StatusCode, answer), resp.Header)
}

func badRequest(detail string) channels.SendResult {
	return channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest, Detail: detail}
}
