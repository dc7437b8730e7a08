package line

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"omnicast/channels"
)

// monthlyLimitText is how LINE's 429 message tells the monthly message quota
// apart from the per-second rate limit: "You have reached your monthly limit."
const monthlyLimitText = "monthly limit"

// classifyAnswer maps an HTTP answer to a push or multicast to a SendResult.
// hasKey tells whether the request carried a retry key.
func classifyAnswer(a channels.Answer, hasKey bool) channels.SendResult {
	return channels.Settle(classifyStatus(a, hasKey))
}

func classifyStatus(a channels.Answer, hasKey bool) channels.SendResult {
	r := channels.SendResult{HTTPStatus: a.Status}
	if a.Success() {
		if a.ReadErr != nil {
			// Accepted, but the answer was cut: Uncertain as everywhere;
			// with a retry key a resend is safe (409 repeats the ids).
			return channels.UnreadableSuccess(a, hasKey, "")
		}
		r.Outcome = channels.Sent
		var ok pushResponse
		// A multicast answers {} and a push without ids is still LINE's
		// documented success shape; only a body that is not JSON at all
		// is doubtful.
		if len(a.Body) > 0 && json.Unmarshal(a.Body, &ok) != nil {
			return channels.UnreadableSuccess(a, hasKey, "not JSON")
		}
		if len(ok.SentMessages) > 0 {
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
	case a.Status == http.StatusConflict:
		// A retry of a request LINE already accepted under this retry key:
		// the messages went out on the earlier attempt. LINE's 409 body
		// repeats their ids.
		var b errorBody
		if json.Unmarshal(a.Body, &b) == nil && len(b.SentMessages) > 0 {
			r.ProviderMessageID = b.SentMessages[0].ID
		}
		r.Outcome, r.Reason = channels.Sent, channels.ReasonAlreadySent
		return r
	case a.Status == http.StatusTooManyRequests:
		r.RetryAfter = channels.RetryAfter(a.Header, time.Now())
		if strings.Contains(strings.ToLower(e.Message), monthlyLimitText) {
			// The monthly quota is spent: nothing more goes out on this
			// channel until next month or a plan change, so retrying soon
			// is pointless.
			return perm(channels.ReasonQuotaExhausted)
		}
		return retry(channels.ReasonRateLimited)
	case a.Status == http.StatusUnauthorized:
		// The channel access token is wrong, revoked or expired: every
		// further send on the channel fails the same way.
		r.PauseChannel = true
		return perm(channels.ReasonInvalidToken)
	case a.Status == http.StatusForbidden:
		// The channel is not allowed to use this API (plan or permission):
		// no retry helps.
		return perm(channels.ReasonPermission)
	case a.Status == http.StatusNotFound:
		// The userId does not exist for this channel.
		return perm(channels.ReasonNoSuchUser)
	case a.Status == http.StatusRequestTimeout:
		// LINE says it stopped waiting for the request: not processed.
		return retry(channels.ReasonTemporary)
	case a.Status >= 500:
		r.RetryAfter = channels.RetryAfter(a.Header, time.Now())
		return retry(channels.ReasonTemporary)
	case a.Status >= 400:
		return perm(channels.ReasonBadRequest)
	}
	// 1xx/3xx: not an answer the Messaging API gives. The request reached
	// something that answered, so retrying with the same key is safe.
	return retry(channels.ReasonUnknown)
}
