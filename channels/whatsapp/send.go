package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"omnicast/channels"
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
		return channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest,
			PauseChannel: true, Detail: "whatsapp: no phone number id configured"}
	}
	rep, err := c.roundTrip(ctx, http.MethodPost, c.endpoint(nil, c.phoneID, "messages"), body)
	if err != nil {
		var ce *configError
		if errors.As(err, &ce) {
			return channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest,
				PauseChannel: true, Detail: "whatsapp: send: " + c.scrub(ce.Error())}
		}
		var te *transportError
		if !errors.As(err, &te) {
			te = &transportError{err: err, mayHaveSent: true}
		}
		r := classifyTransport(te)
		r.Detail = c.scrub("whatsapp: send: " + r.Detail)
		return r
	}
	if rep.status < 200 || rep.status > 299 {
		r := classify(parseAPIError(rep.status, rep.body), rep.header)
		r.Detail = c.scrub(r.Detail)
		return r
	}
	var ok sendReply
	if err := json.Unmarshal(rep.body, &ok); err != nil || len(ok.Messages) == 0 || ok.Messages[0].ID == "" {
		// 2xx without a readable wamid: most likely accepted, but nothing
		// proves it and status webhooks could not be matched. Report
		// Uncertain so it is neither counted as sent nor resent.
		return channels.SendResult{Outcome: channels.Uncertain, Reason: channels.ReasonUnknown, HTTPStatus: rep.status,
			Detail: "whatsapp: send: accepted without a message id: " + c.scrub(excerpt(rep.body, 200))}
	}
	return channels.SendResult{Outcome: channels.Sent, ProviderMessageID: ok.Messages[0].ID, HTTPStatus: rep.status}
}
