package whatsapp

import (
	"net/http"
	"time"

	"omnicast/channels"
)

// WhatsApp Cloud API and Graph error codes that decide what the dispatcher
// does next. The first group is from the project's channel reference
// (CHANNELS.md); the second from Meta's error-code reference.
const (
	codeInvalidToken   = 190    // access token expired or revoked
	codeOutsideWindow  = 131047 // more than 24 h since the person wrote: send a template
	codeUndeliverable  = 131026 // not on WhatsApp, old app, or blocked us
	codeThroughput     = 130429 // cloud API throughput limit for the number
	codePairRate       = 131056 // too many messages to the same person
	codeSpamLimit      = 131048 // number restricted for spam: stop the channel
	codeEcosystem      = 131049 // withheld for ecosystem health: do not retry now
	codeGraphRateLimit = 4      // Graph application request limit
	codeWABARateLimit  = 80007  // WABA rate limit
	codeAccountLocked  = 131031 // business account locked: stop the channel
	codeNoTemplate     = 132001 // template missing in that language: every send fails
	codePausedTemplate = 132015 // template paused for low quality
	codeDisabledTempl  = 132016 // template disabled
)

// classify turns a non-2xx answer into a SendResult. The Graph code wins
// over the HTTP status because Meta answers most failures with 400 whatever
// their nature (a throughput limit is 400 + 130429, not 429).
func classify(e *APIError, header http.Header) channels.SendResult {
	return channels.Settle(classifyCode(e, header))
}

func classifyCode(e *APIError, header http.Header) channels.SendResult {
	r := channels.SendResult{
		HTTPStatus:      e.Status,
		PlatformCode:    e.Code,
		PlatformSubcode: e.Subcode,
		Detail:          e.Text(),
		RetryAfter:      channels.RetryAfter(header, time.Now()),
	}
	switch {
	case e.Code == codeInvalidToken || e.Status == http.StatusUnauthorized:
		r.Outcome, r.Reason, r.PauseChannel = channels.Permanent, channels.ReasonInvalidToken, true
	case e.Code == codeOutsideWindow:
		r.Outcome, r.Reason = channels.Permanent, channels.ReasonOutsideWindow
	case e.Code == codeUndeliverable:
		r.Outcome, r.Reason = channels.Permanent, channels.ReasonUnavailable
	case e.Code == codeThroughput, e.Code == codeGraphRateLimit, e.Code == codeWABARateLimit:
		r.Outcome, r.Reason = channels.Retryable, channels.ReasonRateLimited
	case e.Code == codePairRate:
		// Only this person is throttled: slow down for them, not the channel.
		r.Outcome, r.Reason = channels.Retryable, channels.ReasonRateLimited
	case e.Code == codeSpamLimit:
		r.Outcome, r.Reason, r.PauseChannel = channels.Permanent, channels.ReasonSpamLimit, true
	case e.Code == codeEcosystem:
		// Meta withholds marketing to this person for now; retrying soon
		// only spends quality rating.
		r.Outcome, r.Reason = channels.Permanent, channels.ReasonEcosystem
	case e.Code == codeAccountLocked:
		r.Outcome, r.Reason, r.PauseChannel = channels.Permanent, channels.ReasonPageRestricted, true
	case e.Code == codeNoTemplate, e.Code == codePausedTemplate, e.Code == codeDisabledTempl:
		// The template, not the person, is at fault: every other recipient
		// of the broadcast would fail the same way.
		r.Outcome, r.Reason, r.StopBroadcast = channels.Permanent, channels.ReasonBadRequest, true
	case e.Status == http.StatusTooManyRequests:
		r.Outcome, r.Reason = channels.Retryable, channels.ReasonRateLimited
	case e.Status >= 500:
		r.Outcome, r.Reason = channels.Retryable, channels.ReasonTemporary
	case e.Status >= 400:
		r.Outcome, r.Reason = channels.Permanent, channels.ReasonBadRequest
	default:
		// 1xx/3xx reaching us means a misconfigured base URL or proxy.
		r.Outcome, r.Reason = channels.Permanent, channels.ReasonUnknown
	}
	return r
}
