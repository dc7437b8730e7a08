package sim

import (
	"io"
	"net/http"
	"regexp"
	"strings"

	"omnicast/channels"
)

// maxBody bounds request bodies read by the simulator.
const maxBody = 1 << 20

// graphVersion matches a Graph API version path segment (v23.0).
var graphVersion = regexp.MustCompile(`^v\d+\.\d+$`)

// Handler returns the HTTP handler serving every simulated platform API:
// LINE under /v2/bot/, the Graph API under /{version}/, and profile
// pictures under /sim-avatar/.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	// LINE Messaging API.
	mux.HandleFunc("POST /v2/bot/message/push", s.linePush)
	mux.HandleFunc("POST /v2/bot/message/multicast", s.lineMulticast)
	mux.HandleFunc("GET /v2/bot/profile/{userId}", s.lineProfile)
	mux.HandleFunc("GET /v2/bot/message/quota", s.lineQuota)
	mux.HandleFunc("GET /v2/bot/message/quota/consumption", s.lineConsumption)
	mux.HandleFunc("GET /v2/bot/info", s.lineBotInfo)
	// Graph API (Messenger, Instagram, WhatsApp).
	mux.HandleFunc("POST /{version}/{node}/messages", s.graphMessages)
	mux.HandleFunc("GET /{version}/{node}/message_templates", s.graphTemplates)
	mux.HandleFunc("GET /{version}/{node}", s.graphNode)
	// Simulator extras.
	mux.HandleFunc("GET /sim-avatar/{file}", s.serveAvatar)
	mux.HandleFunc("/", s.notFound)
	return s.withLatency(mux)
}

// withLatency logs each request (path only: tokens travel in the query or
// headers and are never logged) and applies the configured latency.
func (s *Sim) withLatency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Debug("sim: request", "method", r.Method, "path", r.URL.Path)
		if !strings.HasPrefix(r.URL.Path, "/sim-") && !s.latency(r) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// notFound answers unknown paths in the style of the API they look like.
func (s *Sim) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		lineFail(w, http.StatusNotFound, "Not found")
		return
	}
	s.graphFail(w, http.StatusBadRequest, graphError{
		Message: "Unknown path components: " + r.URL.Path, Code: 2500,
	})
}

// graphAccounts authenticates a Graph request by its access_token query
// parameter or Bearer header and checks the version segment. It answers
// and returns nil on failure.
func (s *Sim) graphAccounts(w http.ResponseWriter, r *http.Request) []*account {
	if !graphVersion.MatchString(r.PathValue("version")) {
		s.notFound(w, r)
		return nil
	}
	token := r.URL.Query().Get("access_token")
	if token == "" {
		token = bearer(r.Header.Get("Authorization"))
	}
	s.mu.Lock()
	var accs []*account
	for _, a := range s.byToken(token) {
		if a.Kind != channels.KindLINE {
			accs = append(accs, a)
		}
	}
	s.mu.Unlock()
	if len(accs) == 0 {
		if token == "" {
			s.graphFail(w, http.StatusUnauthorized, graphError{
				Message: "An active access token must be used to query information about the current user.", Code: 2500,
			})
			return nil
		}
		s.graphAuthFail(w)
		return nil
	}
	return accs
}

// pick returns the account a Graph node names among those a token opens:
// "me" is the token's Page or Instagram account (or its only account).
func pick(accs []*account, node string) *account {
	for _, a := range accs {
		if a.ExternalID == node {
			return a
		}
	}
	if node == "me" {
		for _, a := range accs {
			if a.Kind == channels.KindMessenger || a.Kind == channels.KindInstagram {
				return a
			}
		}
		return accs[0]
	}
	return nil
}

// graphMessages serves POST /{v}/{node}/messages for every Meta kind.
func (s *Sim) graphMessages(w http.ResponseWriter, r *http.Request) {
	accs := s.graphAccounts(w, r)
	if accs == nil {
		return
	}
	node := r.PathValue("node")
	acc := pick(accs, node)
	if acc == nil {
		s.unsupported(w, r, node)
		return
	}
	if !s.admitSend(w, acc) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return
	}
	switch acc.Kind {
	case channels.KindWhatsApp:
		s.handleWhatsAppSend(w, r, acc, body)
	case channels.KindMessenger, channels.KindInstagram:
		s.handleMessengerSend(w, r, acc, body)
	default:
		s.notFound(w, r)
	}
}
