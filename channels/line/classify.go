package line

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"omnicast/channels"
)

// monthlyLimitText is how LINE's 429 message tells the monthly message quota
// apart from the per-second rate limit: "You have reached your monthly limit."
const monthlyLimitText = "monthly limit"

// classifyAnswer maps an HTTP answer to a push or multicast to a SendResult.
func classifyAnswer(a answer) channels.SendResult {
	r := channels.SendResult{HTTPStatus: a.status}
	if a.status >= 200 && a.status < 300 {
		r.Outcome = channels.Sent
		var ok pushResponse
		if a.readErr == nil && json.Unmarshal(a.body, &ok) == nil && len(ok.SentMessages) > 0 {
			r.ProviderMessageID = ok.SentMessages[0].ID
		}
		return r
	}

	e := decodeAPIError(a)
	r.Detail = e.Text()
	perm := func(reason string) channels.SendResult {
		r.Outcome, r.Reason = channels.Permanent, reason
		return r
	}
	retry := func(reason string) channels.SendResult {
		r.Outcome, r.Reason = channels.Retryable, reason
		return r
	}

	switch {
	case a.status == http.StatusConflict:
		// A retry of a request LINE already accepted under this retry key:
		// the messages went out on the earlier attempt. LINE's 409 body
		// repeats their ids.
		var b errorBody
		if json.Unmarshal(a.body, &b) == nil && len(b.SentMessages) > 0 {
			r.ProviderMessageID = b.SentMessages[0].ID
		}
		r.Outcome, r.Reason = channels.Sent, channels.ReasonAlreadySent
		return r
	case a.status == http.StatusTooManyRequests:
		r.RetryAfter = channels.RetryAfter(a.header, time.Now())
		if strings.Contains(strings.ToLower(e.Message), monthlyLimitText) {
			// The monthly quota is spent: nothing more goes out on this
			// channel until next month or a plan change, so retrying soon
			// is pointless.
			return perm(channels.ReasonQuotaExhausted)
		}
		return retry(channels.ReasonRateLimited)
	case a.status == http.StatusUnauthorized:
		// The channel access token is wrong, revoked or expired: every
		// further send on the channel fails the same way.
		r.PauseChannel = true
		return perm(channels.ReasonInvalidToken)
	case a.status == http.StatusForbidden:
		// The channel is not allowed to use this API (plan or permission):
		// no retry helps.
		return perm(channels.ReasonPermission)
	case a.status == http.StatusNotFound:
		// The userId does not exist for this channel.
		return perm(channels.ReasonNoSuchUser)
	case a.status == http.StatusRequestTimeout:
		// LINE says it stopped waiting for the request: not processed.
		return retry(channels.ReasonTemporary)
	case a.status >= 500:
		r.RetryAfter = channels.RetryAfter(a.header, time.Now())
		return retry(channels.ReasonTemporary)
	case a.status >= 400:
		return perm(channels.ReasonBadRequest)
	}
	// 1xx/3xx: not an answer the Messaging API gives. The request reached
	// something that answered, so retrying with the same key is safe.
	return retry(channels.ReasonUnknown)
}

// classifyTransport handles a request that got no HTTP answer.
//
// If the request could not have been sent (dial failure, DNS, refused
// connection, headers never written), LINE never saw it: Retryable.
//
// Otherwise (timeout, connection cut after sending) LINE may have accepted
// it: Uncertain with ReasonNoAnswer. For LINE, unlike Messenger, the
// dispatcher MAY retry an Uncertain send, provided it resends the same
// X-Line-Retry-Key: if the first attempt was accepted, LINE answers 409
// (reported as Sent/ReasonAlreadySent) instead of delivering twice. Without
// a retry key (hasKey false) that safety net is absent, and Detail says so.
func classifyTransport(err error, wrote, hasKey bool) channels.SendResult {
	detail := err.Error()
	if !wrote || notSent(err) {
		return channels.SendResult{Outcome: channels.Retryable, Reason: channels.ReasonTemporary, Detail: detail}
	}
	if !hasKey {
		detail += " (sent without a retry key: resending may deliver twice)"
	}
	return channels.SendResult{Outcome: channels.Uncertain, Reason: channels.ReasonNoAnswer, Detail: detail}
}

// notSent reports errors that prove the request never reached LINE, even
// when the trace says headers were written: a failed dial or a refused
// connection. A context cancelled or timed out is not proof: it may strike
// after the request left.
func notSent(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	return false
}
