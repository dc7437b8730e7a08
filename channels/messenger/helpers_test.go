package messenger

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"
)

const testToken = "EAAG-secret-token"

// recorded is one request seen by a fake Graph API server.
type recorded struct {
	Method, Path, RawPath, Token, ContentType string
	Query                                     url.Values
	Body                                      []byte
}

// fakeGraph is an httptest server that records requests and answers with
// the handler's status, headers and body.
type fakeGraph struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newFakeGraph(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) *fakeGraph {
	t.Helper()
	f := &fakeGraph{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Token: r.URL.Query().Get("access_token"),
			ContentType: r.Header.Get("Content-Type"), Query: r.URL.Query(), Body: body})
		f.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGraph) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeGraph) client() *Client {
	return New(Config{BaseURL: f.URL, PageID: "PAGE", PageAccessToken: testToken, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
}

// reply answers status with a JSON body.
func reply(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// assertJSON compares two JSON documents structurally.
func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad golden JSON %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		var gi bytes.Buffer
		json.Indent(&gi, got, "", "  ")
		t.Errorf("JSON mismatch\n got: %s\nwant: %s", gi.String(), want)
	}
}
