package channels

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestDoRefusedConnectionWasNotWritten(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/x", nil)
	_, wrote, err := Do(context.Background(), http.DefaultClient, req, DoOptions{})
	if err == nil || wrote {
		t.Fatalf("err %v wrote %v, want an error before writing", err, wrote)
	}
	if r := ClassifyTransport(err, wrote, false); r.Outcome != Retryable || !r.RetrySafe || r.Reason != ReasonTemporary {
		t.Errorf("refused → %+v", r)
	}
}

func TestDoTimeoutAfterWriting(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	_, wrote, err := Do(context.Background(), &http.Client{Timeout: 100 * time.Millisecond}, req, DoOptions{})
	if err == nil || !wrote {
		t.Fatalf("err %v wrote %v, want a timeout after writing", err, wrote)
	}
	if r := ClassifyTransport(err, wrote, false); r.Outcome != Uncertain || r.RetrySafe || r.Reason != ReasonNoAnswer {
		t.Errorf("no key → %+v, want Uncertain", r)
	}
	if r := ClassifyTransport(err, wrote, true); r.Outcome != Retryable || !r.RetrySafe || r.Reason != ReasonNoAnswer {
		t.Errorf("retry key → %+v, want Retryable retry-safe no_answer", r)
	}
}

func TestDoCutBodyKeepsStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"mess`))
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	a, _, err := Do(context.Background(), http.DefaultClient, req, DoOptions{})
	if err != nil || a.Status != 200 || a.ReadErr == nil {
		t.Fatalf("answer %+v err %v, want 200 with a read error", a, err)
	}
	for _, key := range []bool{false, true} {
		if r := UnreadableSuccess(a, key, ""); r.Outcome != Uncertain || r.RetrySafe != key || r.HTTPStatus != 200 {
			t.Errorf("key %v → %+v", key, r)
		}
	}
}

func TestDoRedacts(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/?access_token=SECRET", nil)
	sentinel := errors.New("redacted")
	_, _, err := Do(context.Background(), http.DefaultClient, req, DoOptions{Redact: func(error) error { return sentinel }})
	if !errors.Is(err, sentinel) {
		t.Errorf("err = %v, want the redacted error", err)
	}
}

func TestSettle(t *testing.T) {
	for reason, breaks := range map[string]bool{ReasonInvalidToken: true, ReasonAbusive: true, ReasonPageRestricted: true,
		ReasonSpamLimit: true, ReasonUnavailable: false, ReasonRateLimited: false} {
		if got := Settle(SendResult{Outcome: Permanent, Reason: reason}).Breaks; got != breaks {
			t.Errorf("%s: Breaks %v, want %v", reason, got, breaks)
		}
	}
	if r := Settle(SendResult{Outcome: Uncertain}); r.RetrySafe {
		t.Error("Uncertain settled as retry-safe")
	}
}
