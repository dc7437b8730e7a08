package sim

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sendOne makes one valid send for an account kind.
func (e *env) sendOne(kind string) reply {
	switch kind {
	case "messenger":
		return e.call("POST", "/v23.0/me/messages", pageToken, fbText(psid, "UPDATE", "", "hi"))
	case "instagram":
		return e.call("POST", "/v23.0/me/messages", igToken, fbText(igsid, "RESPONSE", "", "hi"))
	case "whatsapp":
		return e.call("POST", "/v23.0/"+waPNID+"/messages", waToken, waTemplateBody(waID, "order_update", "zh_TW", []string{"A1", "3/15"}))
	default:
		return e.call("POST", "/v2/bot/message/push", lineToken, linePushBody(lineU, "hi"))
	}
}

var kinds = []string{"messenger", "instagram", "whatsapp", "line"}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, Config{}, 1)
	e.addPeople()
	for _, k := range kinds {
		if r := e.sendOne(k); r.status != 200 {
			t.Fatalf("%s first send: %s", k, r.raw)
		}
		r := e.sendOne(k)
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("%s second send: %d %s", k, r.status, r.raw)
		}
		if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 {
			t.Errorf("%s Retry-After %q", k, r.header.Get("Retry-After"))
		}
		switch k {
		case "line":
			if r.body["message"] != "Too many requests" {
				t.Errorf("LINE 429 body %s", r.raw)
			}
		case "whatsapp":
			expectGraphErr(t, r, 429, 130429, 0)
		default:
			expectGraphErr(t, r, 429, 613, 0)
		}
	}
	if n := len(e.sim.Sent()); n != 4 {
		t.Fatalf("recorded %d, want 4", n)
	}
	// Reads are not rate limited.
	for range 3 {
		if r := e.call("GET", "/v2/bot/info", lineToken, nil); r.status != 200 {
			t.Fatalf("bot info throttled: %s", r.raw)
		}
	}
}

func TestServerErrorsAreNotRecorded(t *testing.T) {
	e := newEnv(t, Config{ServerErrorRate: 1}, 0)
	e.addPeople()
	for _, k := range kinds {
		for range 4 {
			r := e.sendOne(k)
			if r.status != 500 && r.status != 503 {
				t.Fatalf("%s: %d %s", k, r.status, r.raw)
			}
			if k == "line" {
				if r.body["message"] == "" {
					t.Errorf("LINE 5xx body %s", r.raw)
				}
			} else if c, _ := graphErr(t, r); c != 2 && c != 131000 {
				t.Errorf("%s 5xx code %d", k, c)
			}
		}
	}
	if n := len(e.sim.Sent()); n != 0 {
		t.Fatalf("recorded %d failed sends", n)
	}
}

func TestTimeoutsAreRecordedButSlow(t *testing.T) {
	const delay = 400 * time.Millisecond
	e := newEnv(t, Config{TimeoutRate: 1, TimeoutDelay: delay}, 0)
	e.addPeople()
	// A client that gives up sees a timeout, yet the message went out.
	client := &http.Client{Timeout: 100 * time.Millisecond}
	req, _ := http.NewRequest("POST", e.base+"/v2/bot/message/push", strings.NewReader(`{"to":"`+lineU+`","messages":[{"type":"text","text":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+lineToken)
	_, err := client.Do(req)
	var ne interface{ Timeout() bool }
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
	if n := len(e.sim.SentTo(lineU)); n != 1 {
		t.Fatalf("recorded %d, want 1", n)
	}
	// A patient client gets its answer after the stall, for every kind.
	for _, k := range kinds[:3] {
		start := time.Now()
		r := e.sendOne(k)
		if r.status != 200 || time.Since(start) < delay {
			t.Fatalf("%s: %d after %v", k, r.status, time.Since(start))
		}
	}
	if n := len(e.sim.Sent()); n != 4 {
		t.Fatalf("recorded %d, want 4", n)
	}
}

func TestLatency(t *testing.T) {
	e := newEnv(t, Config{Latency: 50 * time.Millisecond}, 0)
	start := time.Now()
	e.call("GET", "/v2/bot/info", lineToken, nil)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("answered after %v", d)
	}
}

func TestCloseEndsStallsAndPendingReceipts(t *testing.T) {
	s := New(Config{TimeoutRate: 1, TimeoutDelay: time.Hour, ReceiptDelay: time.Hour})
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	sink := newSink(t)
	s.AddAccount(Account{Kind: "messenger", ExternalID: pageID, AccessToken: pageToken, Secret: appSecret, WebhookURL: sink.srv.URL + pathMessenger})
	s.AddPerson(pageID, Person{ID: psid, Name: "Amy Lin"})
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Post(base+"/v23.0/me/messages?access_token="+pageToken, "application/json",
			strings.NewReader(`{"recipient":{"id":"`+psid+`"},"messaging_type":"UPDATE","message":{"text":"hi"}}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Sent()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	<-done
	s.Wait()
	if len(sink.got(pathMessenger)) != 0 {
		t.Fatal("receipts were sent after Close")
	}
	if _, err := s.Start(); err == nil {
		t.Fatal("Start after Close succeeded")
	}
	if err := s.Message(context.Background(), pageID, psid, "x"); err == nil {
		t.Fatal("webhook call after Close succeeded")
	}
}
