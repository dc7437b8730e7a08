package messenger

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestProfile(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"first and last", `{"first_name":"Ana","last_name":"Lima","profile_pic":"https://cdn/p.jpg","id":"PSID"}`, "Ana Lima"},
		{"first only", `{"first_name":" Ana ","last_name":"","profile_pic":"https://cdn/p.jpg"}`, "Ana"},
		{"name wins", `{"name":"Ana Maria Lima","first_name":"Ana","last_name":"Lima","profile_pic":"https://cdn/p.jpg"}`, "Ana Maria Lima"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeGraph(t, reply(200, tc.body))
			p, err := f.client().Profile(context.Background(), "PSID")
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != tc.want || p.PictureURL != "https://cdn/p.jpg" {
				t.Errorf("profile = %+v, want name %q", p, tc.want)
			}
			r := f.requests()[0]
			if r.Method != http.MethodGet || r.Path != "/v23.0/PSID" || r.Token != testToken {
				t.Errorf("request %s %s token %q", r.Method, r.Path, r.Token)
			}
			if got := r.Query["fields"]; len(got) != 1 || got[0] != "first_name,last_name,profile_pic" {
				t.Errorf("fields = %v", got)
			}
		})
	}
}

func TestProfileEscapesID(t *testing.T) {
	f := newFakeGraph(t, reply(200, `{}`))
	if _, err := f.client().Profile(context.Background(), "../me/messages"); err != nil {
		t.Fatal(err)
	}
	if raw := f.requests()[0].RawPath; raw != "/v23.0/..%2Fme%2Fmessages" {
		t.Errorf("raw path %q: the id must stay one path segment", raw)
	}
}

func TestProfileAPIError(t *testing.T) {
	f := newFakeGraph(t, reply(400, graphError(100, 2018218, "No profile available for that user.")))
	_, err := f.client().Profile(context.Background(), "PSID")
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	if ae.Status != 400 || ae.Code != 100 || ae.Subcode != 2018218 || ae.Message != "No profile available for that user." ||
		ae.Type != "OAuthException" || ae.TraceID != "AbCdEf" {
		t.Errorf("APIError = %+v", ae)
	}
	if !strings.Contains(err.Error(), "No profile available for that user.") {
		t.Errorf("error text %q lacks Meta's message", err)
	}
}

func TestAPIErrorWithoutEnvelope(t *testing.T) {
	f := newFakeGraph(t, reply(502, `<html>gateway</html>`))
	_, err := f.client().Me(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 502 || ae.Message != "Bad Gateway" {
		t.Fatalf("err = %v (%+v)", err, ae)
	}
}

func TestMe(t *testing.T) {
	f := newFakeGraph(t, reply(200, `{"id":"1234","name":"Bakery"}`))
	p, err := f.client().Me(context.Background())
	if err != nil || p != (Page{ID: "1234", Name: "Bakery"}) {
		t.Fatalf("Me = %+v, %v", p, err)
	}
	r := f.requests()[0]
	if r.Method != http.MethodGet || r.Path != "/v23.0/me" || r.Token != testToken || r.Query.Get("fields") != "id,name" {
		t.Errorf("request %+v", r)
	}
}

func TestMeInvalidToken(t *testing.T) {
	f := newFakeGraph(t, reply(400, graphError(190, 0, "Invalid OAuth access token.")))
	_, err := f.client().Me(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != 190 {
		t.Fatalf("err = %v", err)
	}
}

func TestGraphGetWithoutToken(t *testing.T) {
	f := newFakeGraph(t, reply(200, `{}`))
	c := New(Config{BaseURL: f.URL})
	if _, err := c.Me(context.Background()); !errors.Is(err, ErrNoToken) {
		t.Errorf("err = %v, want ErrNoToken", err)
	}
	if _, err := f.client().Profile(context.Background(), ""); err == nil {
		t.Error("empty psid accepted")
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests made", n)
	}
}

func TestGraphGetNetworkErrorHidesToken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := New(Config{BaseURL: "http://" + addr, PageAccessToken: testToken, HTTPClient: &http.Client{Timeout: time.Second}})
	_, err = c.Profile(context.Background(), "PSID")
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err = %v: must fail without showing the token", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) {
		t.Errorf("err %v: the network error must stay inspectable", err)
	}
}
