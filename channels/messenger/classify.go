package messenger

import (
	"net/http"
	"time"

	"omnicast/channels"
)

// Graph API error codes and subcodes the Send API documents.
const (
	codeUnknown          = 1
	codeService          = 2
	codeTooManyCalls     = 4
	codePermissionDenied = 10
	codeUserRateLimit    = 17
	codePageRateLimit    = 32
	codeInvalidParameter = 100
	codeInvalidToken     = 190
	codePermission       = 200
	codePagePermission   = 230
	codeAbusive          = 368
	codePersonNotAvail   = 551
	codeRateLimited      = 613
	codeBusinessRate     = 80006 // Messenger business-use-case rate limit

	subOutsideWindow    = 2018278
	subOutsideWindowOld = 2018065 // older "sent outside of allowed window"
	subPageRestricted   = 1893063
	subNoSuchUser       = 2018001
)

// classifyAPIError maps a Graph API error answer to a SendResult. Meta's
// code decides first; the HTTP status is the fallback for codes we do not
// know, because Meta answers most errors with a plain 400.
func classifyAPIError(e *APIError, h http.Header) channels.SendResult {
	return channels.Settle(classifyGraphCode(e, h))
}

func classifyGraphCode(e *APIError, h http.Header) channels.SendResult {
	r := channels.SendResult{HTTPStatus: e.Status, PlatformCode: e.Code, PlatformSubcode: e.Subcode,
		Detail: e.Message, RetryAfter: channels.RetryAfter(h, time.Now())}
	perm := func(reason string) channels.SendResult {
		r.Outcome, r.Reason = channels.Permanent, reason
		return r
	}
	retry := func(reason string) channels.SendResult {
		r.Outcome, r.Reason = channels.Retryable, reason
		return r
	}

	switch e.Code {
	case codePermissionDenied:
		switch e.Subcode {
		case subOutsideWindow, subOutsideWindowOld:
			// The person's 24-hour window is closed: skip them, a retry
			// would fail the same way until they write to the Page.
			return perm(channels.ReasonOutsideWindow)
		case subPageRestricted:
			r.PauseChannel = true
			return perm(channels.ReasonPageRestricted)
		}
		return perm(channels.ReasonPermission)
	case codePersonNotAvail:
		return perm(channels.ReasonUnavailable)
	case codeTooManyCalls, codeRateLimited, codeUserRateLimit, codePageRateLimit, codeBusinessRate:
		return retry(channels.ReasonRateLimited)
	case codeUnknown, codeService:
		return retry(channels.ReasonTemporary)
	case codeInvalidToken:
		r.PauseChannel = true
		return perm(channels.ReasonInvalidToken)
	case codePermission, codePagePermission:
		return perm(channels.ReasonPermission)
	case codeAbusive:
		// Meta judged the content abusive: every further send of this
		// broadcast risks the Page being blocked.
		r.StopBroadcast = true
		return perm(channels.ReasonAbusive)
	case codeInvalidParameter:
		if e.Subcode == subNoSuchUser {
			return perm(channels.ReasonNoSuchUser)
		}
	}

	switch {
	case e.Status == http.StatusTooManyRequests:
		return retry(channels.ReasonRateLimited)
	case e.Status == http.StatusUnauthorized:
		r.PauseChannel = true
		return perm(channels.ReasonInvalidToken)
	case e.Status >= 500:
		return retry(channels.ReasonTemporary)
	case e.Status >= 400:
		return perm(channels.ReasonBadRequest)
	}
	// 1xx/3xx: not an answer the Send API gives; treat as a failed attempt.
	r.Outcome, r.Reason = channels.Retryable, channels.ReasonUnknown
	return r
}
