package line

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"omnicast/channels"
)

func TestSendClassification(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		name    string
		status  int
		body    string
		headers []string
		want    channels.SendResult // Detail compared as substring
	}{
		{"200 with id", 200, `{"sentMessages":[{"id":"111"},{"id":"222"}]}`, nil,
			channels.SendResult{Outcome: channels.Sent, ProviderMessageID: "111"}},
		// Accepted, but nothing says which messages: Uncertain as on every
		// platform (retry-safe: the request carried a retry key).
		{"200 unreadable", 200, `not json`, nil,
			channels.SendResult{Outcome: channels.Uncertain, Reason: channels.ReasonNoAnswer, RetrySafe: true}},
		{"200 multicast empty object", 200, `{}`, nil,
			channels.SendResult{Outcome: channels.Sent}},
		{"409 retry of accepted request", 409, `{"message":"The retry key is already accepted","sentMessages":[{"id":"333","quoteToken":"q"}]}`,
			[]string{"X-Line-Accepted-Request-Id", "abc"},
			channels.SendResult{Outcome: channels.Sent, Reason: channels.ReasonAlreadySent, ProviderMessageID: "333", Detail: "already accepted"}},
		{"409 without ids", 409, `{"message":"The retry key is already accepted"}`, nil,
			channels.SendResult{Outcome: channels.Sent, Reason: channels.ReasonAlreadySent}},
		{"429 rate limit with Retry-After seconds", 429, `{"message":"The API rate limit has been exceeded. Try again later."}`,
			[]string{"Retry-After", "7"},
			channels.SendResult{Outcome: channels.Retryable, Reason: channels.ReasonRateLimited, RetryAfter: 7 * time.Second, Detail: "rate limit"}},
		{"429 rate limit with Retry-After date", 429, `{"message":"The API rate limit has been exceeded. Try again later."}`,
			[]string{"Retry-After", date},
			channels.SendResult{Outcome: channels.Retryable, Reason: channels.ReasonRateLimited, RetryAfter: 90 * time.Second}},
		{"429 monthly limit", 429, `{"message":"You have reached your monthly limit."}`, nil,
			channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonQuotaExhausted, Detail: "monthly limit"}},
		{"500", 500, `{"message":"Internal server error"}`, nil,
			channels.SendResult{Outcome: channels.Retryable, Reason: channels.ReasonTemporary, Detail: "Internal server error"}},
		{"503 HTML with Retry-After", 503, `<html>busy</html>`, []string{"Retry-After", "30"},
			channels.SendResult{Outcome: channels.Retryable, Reason: channels.ReasonTemporary, RetryAfter: 30 * time.Second, Detail: "Service Unavailable"}},
		{"401", 401, `{"message":"Authentication failed. Confirm that the access token in the authorization header is valid."}`, nil,
			channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonInvalidToken, PauseChannel: true, Detail: "Authentication failed"}},
		{"400 with details", 400, `{"message":"The request body has 2 error(s)","details":[{"message":"May not be empty","property":"messages[0].text"},{"message":"Must be one of the following values: [text, image]","property":"messages[1].type"}]}`, nil,
			channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest,
				Detail: "The request body has 2 error(s) (messages[0].text: May not be empty; messages[1].type: Must be one of the following values: [text, image])"}},
		{"404 unknown user", 404, `{"message":"Not found"}`, nil,
			channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonNoSuchUser, Detail: "Not found"}},
		{"403", 403, `{"message":"Access to this API is not available for your account"}`, nil,
			channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonPermission}},
		{"413", 413, ``, nil,
			channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest, Detail: "Request Entity Too Large"}},
	}
	for _, tc := range cases {
		for _, multicast := range []bool{false, true} {
			name := tc.name + "/push"
			if multicast {
				name = tc.name + "/multicast"
			}
			t.Run(name, func(t *testing.T) {
				f := newFakeLINE(t, jsonAnswer(tc.status, tc.body, tc.headers...))
				msgs := []Message{must(NewText("hi"))}
				var res channels.SendResult
				if multicast {
					res = f.client().MulticastMessages(context.Background(), []string{"U1", "U2"}, msgs, NewRetryKey())
				} else {
					res = f.client().Push(context.Background(), "U1", msgs, NewRetryKey())
				}
				f.only()
				want := tc.want
				want.HTTPStatus = tc.status
				if res.Outcome != want.Outcome || res.Reason != want.Reason || res.HTTPStatus != want.HTTPStatus ||
					res.ProviderMessageID != want.ProviderMessageID || res.PauseChannel != want.PauseChannel || res.StopBroadcast ||
					res.RetrySafe != (want.RetrySafe || want.Outcome == channels.Retryable) || res.Breaks != (want.Reason == channels.ReasonInvalidToken) {
					t.Errorf("result = %+v\nwant     %+v", res, want)
				}
				if d := res.RetryAfter - want.RetryAfter; d < -2*time.Second || d > 0 {
					t.Errorf("RetryAfter = %v, want about %v", res.RetryAfter, want.RetryAfter)
				}
				if !strings.Contains(res.Detail, want.Detail) {
					t.Errorf("Detail = %q, want it to contain %q", res.Detail, want.Detail)
				}
			})
		}
	}
}

// TestTimeoutWithKeyIsRetrySafe: LINE got the request but answered too
// late. The message may be out, but the request carried a retry key, so a
// resend cannot deliver twice: Retryable and RetrySafe with no_answer, not
// Uncertain (the retry in this test gets a 409 → Sent).
func TestTimeoutWithKeyIsRetrySafe(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	f := newFakeLINE(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if calls.Add(1) == 1 {
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			}
			return
		}
		jsonAnswer(409, `{"message":"The retry key is already accepted","sentMessages":[{"id":"9"}]}`)(w, r, nil)
	})
	defer close(release)
	c := New(Config{BaseURL: f.srv.URL, ChannelAccessToken: testToken, HTTPClient: &http.Client{Timeout: shortTimeout}})
	key := NewRetryKey()
	msgs := []Message{must(NewText("hi"))}

	res := c.Push(context.Background(), "U1", msgs, key)
	if res.Outcome != channels.Retryable || !res.RetrySafe || res.Reason != channels.ReasonNoAnswer || res.HTTPStatus != 0 {
		t.Fatalf("timeout result = %+v, want Retryable retry-safe no_answer", res)
	}
	if strings.Contains(res.Detail, testToken) {
		t.Error("Detail leaks the token")
	}
	res = c.Push(context.Background(), "U1", msgs, key)
	if res.Outcome != channels.Sent || res.Reason != channels.ReasonAlreadySent || res.ProviderMessageID != "9" {
		t.Errorf("retry with the same key = %+v, want Sent already_sent", res)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[0].Header.Get(RetryKeyHeader) != key || reqs[1].Header.Get(RetryKeyHeader) != key {
		t.Errorf("retry key not repeated over %d requests", len(reqs))
	}
}

func TestTimeoutWithoutRetryKeyWarns(t *testing.T) {
	release := make(chan struct{})
	f := newFakeLINE(t, func(http.ResponseWriter, *http.Request, []byte) {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
	})
	defer close(release)
	c := New(Config{BaseURL: f.srv.URL, ChannelAccessToken: testToken, HTTPClient: &http.Client{Timeout: shortTimeout}})
	res := c.MulticastMessages(context.Background(), []string{"U1"}, []Message{must(NewText("hi"))}, "")
	if res.Outcome != channels.Uncertain || !strings.Contains(res.Detail, "without a retry key") {
		t.Errorf("result = %+v", res)
	}
}

// TestConnectionCutAfterSending: the server reads the request then drops
// the connection without answering. With a retry key: retry-safe; without
// one: Uncertain.
func TestConnectionCutAfterSending(t *testing.T) {
	f := newFakeLINE(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	res := f.client().Push(context.Background(), "U1", []Message{must(NewText("hi"))}, NewRetryKey())
	if res.Outcome != channels.Retryable || !res.RetrySafe || res.Reason != channels.ReasonNoAnswer {
		t.Errorf("result = %+v, want Retryable retry-safe no_answer", res)
	}
	res = f.client().Push(context.Background(), "U1", []Message{must(NewText("hi"))}, "")
	if res.Outcome != channels.Uncertain || res.RetrySafe || res.Reason != channels.ReasonNoAnswer {
		t.Errorf("without a key: result = %+v, want Uncertain no_answer", res)
	}
}

func TestConnectionRefusedIsRetryable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	c := New(Config{BaseURL: "http://" + addr, ChannelAccessToken: testToken})
	for _, res := range []channels.SendResult{
		c.Push(context.Background(), "U1", []Message{must(NewText("hi"))}, NewRetryKey()),
		c.MulticastMessages(context.Background(), []string{"U1"}, []Message{must(NewText("hi"))}, NewRetryKey()),
	} {
		if res.Outcome != channels.Retryable || res.Reason != channels.ReasonTemporary || res.HTTPStatus != 0 {
			t.Errorf("result = %+v, want Retryable temporary", res)
		}
		if res.Detail == "" || strings.Contains(res.Detail, testToken) {
			t.Errorf("Detail = %q", res.Detail)
		}
	}
}

func TestCancelledBeforeSendingIsRetryable(t *testing.T) {
	f := newFakeLINE(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := f.client().Push(ctx, "U1", []Message{must(NewText("hi"))}, NewRetryKey())
	if res.Outcome != channels.Retryable {
		t.Errorf("result = %+v, want Retryable", res)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0}, {"0", 0}, {"-5", 0}, {"12", 12 * time.Second}, {"junk", 0},
		{"99999999999999", channels.MaxRetryAfter},
		{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
	} {
		if got := channels.RetryAfter(http.Header{"Retry-After": {tc.v}}, time.Now()); got != tc.want {
			t.Errorf("Retry-After %q = %v, want %v", tc.v, got, tc.want)
		}
	}
}
