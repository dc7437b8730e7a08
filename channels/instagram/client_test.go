package instagram

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"omnicast/channels/messenger"
)

const testToken = "IGQ-secret-token"

type seen struct {
	method, path string
	query        url.Values
}

// fakeGraph serves one canned answer and records requests. The slice is
// read only after the client call returned, but the mutex keeps the race
// detector's view explicit.
func fakeGraph(t *testing.T, status int, body string) (*Client, *[]seen) {
	t.Helper()
	var (
		mu   sync.Mutex
		reqs []seen
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, seen{r.Method, r.URL.Path, r.URL.Query()})
		mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return New(Config{BaseURL: srv.URL, AccessToken: testToken}), &reqs
}

func TestProfile(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"name", `{"name":"Ana Lima","username":"ana.lima","profile_pic":"https://cdn/p.jpg"}`, "Ana Lima"},
		{"username fallback", `{"name":"","username":"ana.lima","profile_pic":"https://cdn/p.jpg"}`, "ana.lima"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, reqs := fakeGraph(t, 200, tc.body)
			p, err := c.Profile(context.Background(), "IGSID_1")
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != tc.want || p.PictureURL != "https://cdn/p.jpg" {
				t.Errorf("profile %+v", p)
			}
			r := (*reqs)[0]
			if r.method != http.MethodGet || r.path != "/v23.0/IGSID_1" || r.query.Get("access_token") != testToken ||
				r.query.Get("fields") != "name,username,profile_pic" {
				t.Errorf("request %+v", r)
			}
		})
	}
}

func TestProfileError(t *testing.T) {
	c, _ := fakeGraph(t, 400, `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"X"}}`)
	_, err := c.Profile(context.Background(), "IGSID_1")
	var ae *messenger.APIError
	if !errors.As(err, &ae) || ae.Code != 100 || ae.Subcode != 33 || !strings.Contains(err.Error(), "Unsupported get request.") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Error("error leaks the token")
	}
}

func TestMe(t *testing.T) {
	c, reqs := fakeGraph(t, 200, `{"id":"17841400000000000","username":"bakery","name":"The Bakery"}`)
	a, err := c.Me(context.Background())
	if err != nil || a != (Account{ID: "17841400000000000", Username: "bakery", Name: "The Bakery"}) {
		t.Fatalf("Me = %+v, %v", a, err)
	}
	r := (*reqs)[0]
	if r.method != http.MethodGet || r.path != "/v23.0/me" || r.query.Get("fields") != "id,username,name" || r.query.Get("access_token") != testToken {
		t.Errorf("request %+v", r)
	}
}

func TestMeWithoutToken(t *testing.T) {
	_, reqs := fakeGraph(t, 200, `{}`)
	c := New(Config{BaseURL: "http://127.0.0.1:1"})
	if _, err := c.Me(context.Background()); !errors.Is(err, messenger.ErrNoToken) {
		t.Errorf("err = %v", err)
	}
	if len(*reqs) != 0 {
		t.Error("request made without token")
	}
}

func TestConfiguredVersion(t *testing.T) {
	var path string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		path = r.URL.Path
		mu.Unlock()
		io.WriteString(w, `{"id":"1"}`)
	}))
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL, APIVersion: "v21.0", AccessToken: "t"})
	_, err := c.Me(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if err != nil || path != "/v21.0/me" {
		t.Errorf("path %q err %v", path, err)
	}
}
