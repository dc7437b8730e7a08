package sim

import (
	"net/http"

	"omnicast/channels"
)

// admitSend applies the rules every send request meets before its body is
// looked at: the account's rate limit and the configured share of server
// errors. It answers and returns false when the request is refused.
func (s *Sim) admitSend(w http.ResponseWriter, acc *account) bool {
	if e, ok := s.takeInjected(acc); ok {
		s.answerInjected(w, acc, e)
		return false
	}
	if ok, wait := acc.allow(); !ok {
		s.log.Debug("sim: rate limited", "account", acc.ExternalID, "kind", acc.Kind)
		setRetryAfter(w, wait)
		s.rateLimited(w, acc.Kind)
		return false
	}
	if s.chance(s.cfg.ServerErrorRate) {
		s.serverError(w, acc.Kind)
		return false
	}
	return true
}

// rateLimited answers the platform's throttling error.
func (s *Sim) rateLimited(w http.ResponseWriter, kind string) {
	switch kind {
	case channels.KindLINE:
		lineFail(w, http.StatusTooManyRequests, "Too many requests")
	case channels.KindWhatsApp:
		s.whatsAppFail(w, http.StatusTooManyRequests, 130429, "Rate limit hit",
			"Cloud API message throughput has been reached.")
	default:
		s.graphFail(w, http.StatusTooManyRequests, graphError{
			Message: "(#613) Calls to this api have exceeded the rate limit.", Code: 613,
		})
	}
}

// serverError answers a transient 500 or 503 in the platform's format.
func (s *Sim) serverError(w http.ResponseWriter, kind string) {
	status := http.StatusInternalServerError
	if s.randN(2) == 1 {
		status = http.StatusServiceUnavailable
	}
	switch kind {
	case channels.KindLINE:
		lineFail(w, status, "An error occurred in the server. Please try again later.")
	case channels.KindWhatsApp:
		s.graphFail(w, status, graphError{
			Message: "(#131000) Something went wrong", Code: 131000, IsTransient: true,
			ErrorData: map[string]any{"messaging_product": "whatsapp", "details": "Something went wrong"},
		})
	default:
		s.graphFail(w, status, graphError{
			Message: "An unexpected error has occurred. Please retry your request later.",
			Code:    2, IsTransient: true,
		})
	}
}

// timeoutFault decides whether this accepted send stalls.
func (s *Sim) timeoutFault() bool { return s.chance(s.cfg.TimeoutRate) }

// stall holds an accepted request for TimeoutDelay (or until the client
// leaves or the Sim closes) before it is answered.
func (s *Sim) stall(r *http.Request) {
	s.log.Debug("sim: stalling answer", "path", r.URL.Path, "for", s.cfg.TimeoutDelay)
	s.sleep(r.Context(), s.cfg.TimeoutDelay)
}

// latency applies the configured latency to a request.
func (s *Sim) latency(r *http.Request) bool {
	if s.cfg.Latency <= 0 {
		return true
	}
	return s.sleep(r.Context(), s.cfg.Latency)
}
