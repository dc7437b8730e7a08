package whatsapp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const (
	testToken   = "EAAtest-token-0123456789"
	testPhoneID = "106540352242922"
	testWABAID  = "102290129340398"
)

// seenRequest is one request the fake Graph server received.
type seenRequest struct {
	req  *http.Request
	body []byte
}

// fakeGraph is a loopback Graph API that records every request so tests
// can validate each against Meta's spec.
type fakeGraph struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

func newFakeGraph(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body []byte)) *fakeGraph {
	t.Helper()
	fg := &fakeGraph{}
	fg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fg.mu.Lock()
		fg.seen = append(fg.seen, seenRequest{req: r.Clone(r.Context()), body: body})
		fg.mu.Unlock()
		h(w, r, body)
	}))
	t.Cleanup(fg.Close)
	return fg
}

func (fg *fakeGraph) requests() []seenRequest {
	fg.mu.Lock()
	defer fg.mu.Unlock()
	return append([]seenRequest(nil), fg.seen...)
}

// client returns a Client pointed at the fake server.
func (fg *fakeGraph) client() *Client {
	return New(Config{BaseURL: fg.URL, PhoneNumberID: testPhoneID, WABAID: testWABAID, AccessToken: testToken,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}})
}

// validateAll checks every recorded request against the WhatsApp spec and
// its Bearer header; it returns how many were checked.
func (fg *fakeGraph) validateAll(t *testing.T) int {
	t.Helper()
	spec := whatsappSpec(t)
	reqs := fg.requests()
	for _, s := range reqs {
		if got := s.req.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("%s %s: Authorization %q", s.req.Method, s.req.URL, got)
		}
		if s.req.URL.Query().Has("access_token") {
			t.Errorf("%s %s: token in the URL", s.req.Method, s.req.URL)
		}
		if err := spec.ValidateRequest(s.req, s.body); err != nil {
			t.Errorf("request not valid per Meta's spec: %v\nbody: %s", err, s.body)
		}
	}
	return len(reqs)
}
