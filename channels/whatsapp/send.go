package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"omnicast/channels"
	"omnicast/channels/meta"
)

// SendTemplate sends a template message and classifies the answer. An
// invalid message is refused locally as Permanent/ReasonBadRequest without
// any request. See classify for the error codes.
func (c *Client) SendTemplate(ctx context.Context, msg *TemplateMessage) channels.SendResult {
	if msg == nil {
		return localFailure(errors.New("whatsapp: send template: nil message"))
	}
	if err := msg.Validate(); err != nil {
		return localFailure(fmt.Errorf("whatsapp: send template: %w", err))
	}
	return c.sendMessage(ctx, msg)
}

// SendText sends a free-form text message (allowed only inside the 24-hour
// window; outside it Meta answers 131047 → Permanent/ReasonOutsideWindow).
func (c *Client) SendText(ctx context.Context, to, text string) channels.SendResult {
	msg := TextMessage{To: to, Body: text}
	if err := msg.Validate(); err != nil {
		return localFailure(fmt.Errorf("whatsapp: send text: %w", err))
	}
	return c.sendMessage(ctx, msg)
}

// localFailure reports a message refused before sending.
func localFailure(err error) channels.SendResult {
	return channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest, Detail: err.Error()}
}

// sendReply is the success answer of POST /messages.
type sendReply struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// sendMessage POSTs one message to /{version}/{phone-number-id}/messages.
func (c *Client) sendMessage(ctx context.Context, msg json.Marshaler) channels.SendResult {
	body, err := msg.MarshalJSON()
	if err != nil {
		return localFailure(fmt.Errorf("whatsapp: encode message: %w", err))
	}
	if c.phoneID == "" {
		return channels.Settle(channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest,
			PauseChannel: true, Detail: "whatsapp: no phone number id configured"})
	}
	ans, wrote, err := c.roundTrip(ctx, http.MethodPost, c.endpoint(nil, c.phoneID, "messages"), body)
	if err != nil {
		var ce *configError
		if errors.As(err, &ce) {
			return channels.Settle(channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest,
				PauseChannel: true, Detail: "whatsapp: send: " + c.scrub(ce.Error())})
		}
		// No idempotency key on the Cloud API: a request that may have
		// left is Uncertain.
		r := channels.ClassifyTransport(err, wrote, false)
		r.Detail = c.scrub("whatsapp: send: " + r.Detail)
		return r
	}
	r := classifyAnswer(ans)
	r.Detail = c.scrub(r.Detail)
	return r
}

// classifyAnswer classifies a POST /messages answer.
func classifyAnswer(ans channels.Answer) channels.SendResult {
	if !ans.Success() {
		if ans.ReadErr != nil && len(ans.Body) == 0 {
			// An error status arrived; its body did not. Classify on the
			// status alone.
			r := classify(&APIError{Status: ans.Status}, ans.Header)
			r.Detail = "whatsapp: send: " + ans.ReadErr.Error()
			return r
		}
		return classify(parseAPIError(ans.Status, ans.Body), ans.Header)
	}
	if ans.ReadErr != nil {
		return channels.UnreadableSuccess(ans, false, "whatsapp: send")
	}
	var ok sendReply
	if err := json.Unmarshal(ans.Body, &ok); err != nil || len(ok.Messages) == 0 || ok.Messages[0].ID == "" {
		// 2xx without a readable wamid: most likely accepted, but nothing
		// proves it and status webhooks could not be matched. Uncertain,
		// so it is neither counted as sent nor resent.
		return channels.UnreadableSuccess(ans, false, "whatsapp: send: accepted without a message id: "+meta.Excerpt(ans.Body, 200))
	}
	return channels.SendResult{Outcome: channels.Sent, ProviderMessageID: ok.Messages[0].ID, HTTPStatus: ans.Status}
}
