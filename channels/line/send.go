package line

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"omnicast/channels"
)

// RetryKeyHeader makes a push or multicast idempotent: LINE answers 409 to a
// second request with the key of one it already accepted, and delivers
// nothing more.
const RetryKeyHeader = "X-Line-Retry-Key"

// NewRetryKey returns a fresh retry key (a random UUID). The caller must
// persist it with the delivery before the first attempt and resend the same
// key on every retry; a key made up at retry time protects nothing.
func NewRetryKey() string { return uuid.NewString() }

// pushRequest is the body of POST /v2/bot/message/push.
type pushRequest struct {
	To       string    `json:"to"`
	Messages []Message `json:"messages"`
}

// multicastRequest is the body of POST /v2/bot/message/multicast.
type multicastRequest struct {
	To       []string  `json:"to"`
	Messages []Message `json:"messages"`
}

// sentMessage is one entry of sentMessages in push answers (and in the 409
// answer to a repeated retry key).
type sentMessage struct {
	ID         string `json:"id"`
	QuoteToken string `json:"quoteToken,omitempty"`
}

// pushResponse is the 200 answer to a push.
type pushResponse struct {
	SentMessages []sentMessage `json:"sentMessages"`
}

// Push sends 1–5 messages to one person (a userId from a webhook) and
// classifies the answer; ProviderMessageID is the id of the first message.
// Use Push for personalised content (LINE has no server-side name
// substitution); identical content for many people goes by MulticastMessages.
//
// retryKey should be a UUID from NewRetryKey, persisted before the first
// attempt and reused on every retry. An empty key sends without one: then
// an Uncertain result is not safe to retry.
//
// Push never returns an error and never retries by itself: everything the
// dispatcher needs is in the result.
func (c *Client) Push(ctx context.Context, to string, msgs []Message, retryKey string) channels.SendResult {
	if to == "" {
		return badRequest("push: empty recipient id")
	}
	return c.send(ctx, "/v2/bot/message/push", pushRequest{To: to, Messages: msgs}, msgs, retryKey)
}

// MulticastMessages sends the same 1–5 messages to 1–500 people in one request. LINE
// answers 200 with an empty body and does not say which recipients could not
// be reached (blocked the account, never were friends): those are silently
// skipped by LINE, so a Sent result means "accepted", not "delivered to
// all". Each recipient costs one message of the monthly quota.
//
// retryKey works as for Push.
func (c *Client) MulticastMessages(ctx context.Context, to []string, msgs []Message, retryKey string) channels.SendResult {
	if len(to) == 0 || len(to) > MaxMulticastRecipients {
		return badRequest(fmt.Sprintf("multicast: %d recipients, 1 to %d allowed", len(to), MaxMulticastRecipients))
	}
	for i, id := range to {
		if id == "" {
			return badRequest(fmt.Sprintf("multicast: recipient %d is an empty id", i))
		}
	}
	return c.send(ctx, "/v2/bot/message/multicast", multicastRequest{To: to, Messages: msgs}, msgs, retryKey)
}

// send validates, posts body to path with the retry key, and classifies.
func (c *Client) send(ctx context.Context, path string, body any, msgs []Message, retryKey string) channels.SendResult {
	if c.token == "" {
		return channels.Settle(channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonInvalidToken,
			Detail: ErrNoToken.Error(), PauseChannel: true})
	}
	if err := validateMessages(msgs); err != nil {
		return badRequest("invalid message: " + err.Error())
	}
	var extra http.Header
	if retryKey != "" {
		// LINE wants the hexadecimal UUID form; parsing also normalises
		// braces or urn: prefixes the same way on every attempt.
		key, err := uuid.Parse(retryKey)
		if err != nil {
			return badRequest("retry key is not a UUID")
		}
		extra = http.Header{RetryKeyHeader: {key.String()}}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return badRequest("encoding request: " + err.Error())
	}
	ans, wrote, err := c.call(ctx, http.MethodPost, path, data, extra)
	if err != nil {
		// With a retry key a request that may have been accepted is still
		// safe to resend (LINE answers 409): Retryable and RetrySafe.
		// Without one it is Uncertain.
		r := channels.ClassifyTransport(err, wrote, retryKey != "")
		if wrote && retryKey == "" {
			r.Detail += " (sent without a retry key: resending may deliver twice)"
		}
		return r
	}
	return classifyAnswer(ans, retryKey != "")
}

func badRequest(detail string) channels.SendResult {
	return channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest, Detail: detail}
}
