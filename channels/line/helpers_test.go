package line

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"omnicast/channels/spectest"
)

const testToken = "test-channel-token-SECRET"

// captured is one request the fake LINE server received.
type captured struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	SpecErr      error // from spectest against messaging-api.yml
}

// fakeLINE is an httptest server standing in for api.line.me. It records
// every request and validates it against LINE's official OpenAPI spec;
// answer decides the reply.
type fakeLINE struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []captured
	answer func(w http.ResponseWriter, r *http.Request, body []byte)
}

func newFakeLINE(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body []byte)) *fakeLINE {
	t.Helper()
	spec, err := spectest.Load(spectest.LINEMessaging)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeLINE{t: t, answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := captured{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: body,
			SpecErr: spec.ValidateRequest(r, body)}
		f.mu.Lock()
		f.reqs = append(f.reqs, c)
		f.mu.Unlock()
		if f.answer != nil {
			f.answer(w, r, body)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a Client pointed at the fake server.
func (f *fakeLINE) client() *Client {
	return New(Config{BaseURL: f.srv.URL + "/", ChannelAccessToken: testToken})
}

// requests returns what the server received so far.
func (f *fakeLINE) requests() []captured {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]captured(nil), f.reqs...)
}

// only returns the single request received, failing otherwise, after
// checking it is spec-valid and authenticated.
func (f *fakeLINE) only() captured {
	f.t.Helper()
	reqs := f.requests()
	if len(reqs) != 1 {
		f.t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	checkRequest(f.t, reqs[0])
	return reqs[0]
}

// checkRequest fails t unless c is valid per the spec and carries the
// Bearer token.
func checkRequest(t *testing.T, c captured) {
	t.Helper()
	if c.SpecErr != nil {
		t.Errorf("%s %s does not match messaging-api.yml: %v\nbody: %s", c.Method, c.Path, c.SpecErr, c.Body)
	}
	if got := c.Header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("%s %s: Authorization = %q, want the Bearer token", c.Method, c.Path, got)
	}
}

// jsonAnswer replies with status and body (and optional header pairs).
func jsonAnswer(status int, body string, headers ...string) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// must unwraps a builder result in tests.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// shortTimeout is the client timeout of the Uncertain tests.
const shortTimeout = 100 * time.Millisecond
