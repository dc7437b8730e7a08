package sim

import (
	"net/http"
	"strconv"
	"time"

	"omnicast/channels"
)

// Injected is an error answer a test makes the simulator give to send
// requests, in the platform's own format, for the platform errors the
// simulation does not produce by itself (Meta's abuse verdict, a
// restricted Page, the WhatsApp spam limit …).
type Injected struct {
	// Status is the HTTP status (default 400).
	Status int
	// Code and Subcode are the Graph error code and subcode (Meta kinds).
	Code, Subcode int
	// Message is the platform's text (LINE's "message").
	Message string
	// RetryAfter, when set, is sent as Retry-After.
	RetryAfter time.Duration
}

// Inject makes the next n send requests of the account answer e instead
// of sending (n ≤ 0 clears it). Nothing is recorded for them.
func (s *Sim) Inject(accountExternalID string, e Injected, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.injected == nil {
		s.injected = map[string]*injection{}
	}
	if n <= 0 {
		delete(s.injected, accountExternalID)
		return
	}
	s.injected[accountExternalID] = &injection{Injected: e, left: n}
}

type injection struct {
	Injected
	left int
}

// takeInjected returns the error to answer for this send, if any.
func (s *Sim) takeInjected(acc *account) (Injected, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.injected[acc.ExternalID]
	if in == nil {
		return Injected{}, false
	}
	in.left--
	if in.left <= 0 {
		delete(s.injected, acc.ExternalID)
	}
	return in.Injected, true
}

// answerInjected writes e in the account's platform format.
func (s *Sim) answerInjected(w http.ResponseWriter, acc *account, e Injected) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if e.RetryAfter > 0 {
		setRetryAfter(w, e.RetryAfter)
	}
	switch acc.Kind {
	case channels.KindLINE:
		lineFail(w, status, e.Message)
	case channels.KindWhatsApp:
		s.graphFail(w, status, graphError{
			Message: "(#" + strconv.Itoa(e.Code) + ") " + e.Message, Code: e.Code, ErrorSubcode: e.Subcode,
			ErrorData: map[string]any{"messaging_product": "whatsapp", "details": e.Message},
		})
	default:
		s.graphFail(w, status, graphError{Message: "(#" + strconv.Itoa(e.Code) + ") " + e.Message, Code: e.Code, ErrorSubcode: e.Subcode})
	}
}
