package messenger

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

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

// SendMessage delivers one message to the person with Page-scoped id psid
// and classifies the answer. It never returns an error: everything the
// dispatcher needs (outcome, reason, pause/stop signals, Meta's own text)
// is in the result. Send (the channels.Sender) renders content and calls
// it once per part.
//
// SendMessage makes exactly one request and never retries by itself: Meta
// has no idempotency key, so only the caller, which persists delivery
// state, may decide to try again, and only for channels.Retryable.
func (c *Client) SendMessage(ctx context.Context, psid string, msg Message, opts SendOptions) channels.SendResult {
	if c.token == "" {
		return channels.Settle(channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonInvalidToken,
			Detail: "no Page access token configured", PauseChannel: true})
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url("me", "messages", nil), bytes.NewReader(body))
	if err != nil {
		return badRequest("building request: " + redact(err).Error())
	}
	req.Header.Set("Content-Type", "application/json")

	ans, wrote, err := channels.Do(ctx, c.http, req, channels.DoOptions{MaxAnswerBytes: maxResponseBytes, Redact: redact})
	if err != nil {
		// No idempotency key on the Send API: a request that may have
		// left is Uncertain.
		return channels.ClassifyTransport(err, wrote, false)
	}
	return classifyAnswer(ans)
}

// classifyAnswer classifies a Send API answer.
func classifyAnswer(ans channels.Answer) channels.SendResult {
	if ans.Success() {
		var ok sendResponse
		if ans.ReadErr != nil {
			return channels.UnreadableSuccess(ans, false, "")
		}
		if err := json.Unmarshal(ans.Body, &ok); err != nil || ok.MessageID == "" {
			// The status says Meta took it, but without its id nothing
			// proves which message went out (and receipts cannot match):
			// Uncertain, like on every platform.
			return channels.UnreadableSuccess(ans, false, "no message_id")
		}
		return channels.SendResult{Outcome: channels.Sent, HTTPStatus: ans.Status, ProviderMessageID: ok.MessageID}
	}
	return classifyAPIError(decodeAPIError(ans.Status, ans.Body), ans.Header)
}

func badRequest(detail string) channels.SendResult {
	return channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest, Detail: detail}
}
