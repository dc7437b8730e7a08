package messenger

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"omnicast/channels"
)

// must unwraps a builder's result, failing the test on error.
func must(t *testing.T) func(Message, error) Message {
	return func(m Message, err error) Message {
		t.Helper()
		if err != nil {
			t.Fatalf("building message: %v", err)
		}
		return m
	}
}

func TestSendRequestShapes(t *testing.T) {
	text := must(t)(Text("Hello Ana"))
	image := must(t)(Image("https://cdn.example.com/a.png"))
	buttons := must(t)(ButtonTemplate("Pick one", URLButton("Open", "https://example.com/x"), PostbackButton("Yes", "YES")))
	generic := must(t)(GenericTemplate(
		Element{Title: "Shoes", Subtitle: "Red", ImageURL: "https://cdn.example.com/s.png",
			Buttons: []Button{URLButton("Buy", "https://example.com/buy")}},
		Element{Title: "Hat"},
	))
	textQR := must(t)(text.WithQuickReplies(TextQuickReply("Yes", "Q_YES"), TextQuickReply("No", "Q_NO")))
	imageQR := must(t)(image.WithQuickReplies(TextQuickReply("More", "MORE")))

	cases := []struct {
		name string
		msg  Message
		opts SendOptions
		want string
	}{
		{"text update", text, SendOptions{},
			`{"recipient":{"id":"PSID1"},"messaging_type":"UPDATE","message":{"text":"Hello Ana"}}`},
		{"text confirmed event", text, SendOptions{Tag: TagConfirmedEventUpdate},
			`{"recipient":{"id":"PSID1"},"messaging_type":"MESSAGE_TAG","tag":"CONFIRMED_EVENT_UPDATE","message":{"text":"Hello Ana"}}`},
		{"text post purchase", text, SendOptions{Tag: TagPostPurchaseUpdate},
			`{"recipient":{"id":"PSID1"},"messaging_type":"MESSAGE_TAG","tag":"POST_PURCHASE_UPDATE","message":{"text":"Hello Ana"}}`},
		{"text account update", text, SendOptions{Tag: TagAccountUpdate},
			`{"recipient":{"id":"PSID1"},"messaging_type":"MESSAGE_TAG","tag":"ACCOUNT_UPDATE","message":{"text":"Hello Ana"}}`},
		{"text response", text, SendOptions{Response: true},
			`{"recipient":{"id":"PSID1"},"messaging_type":"RESPONSE","message":{"text":"Hello Ana"}}`},
		{"image", image, SendOptions{},
			`{"recipient":{"id":"PSID1"},"messaging_type":"UPDATE","message":{"attachment":{"type":"image","payload":{"url":"https://cdn.example.com/a.png","is_reusable":true}}}}`},
		{"button template", buttons, SendOptions{Tag: TagAccountUpdate},
			`{"recipient":{"id":"PSID1"},"messaging_type":"MESSAGE_TAG","tag":"ACCOUNT_UPDATE","message":{"attachment":{"type":"template","payload":{
				"template_type":"button","text":"Pick one","buttons":[
				{"type":"web_url","title":"Open","url":"https://example.com/x"},
				{"type":"postback","title":"Yes","payload":"YES"}]}}}}`},
		{"generic template", generic, SendOptions{},
			`{"recipient":{"id":"PSID1"},"messaging_type":"UPDATE","message":{"attachment":{"type":"template","payload":{
				"template_type":"generic","elements":[
				{"title":"Shoes","subtitle":"Red","image_url":"https://cdn.example.com/s.png","buttons":[{"type":"web_url","title":"Buy","url":"https://example.com/buy"}]},
				{"title":"Hat"}]}}}}`},
		{"text quick replies", textQR, SendOptions{},
			`{"recipient":{"id":"PSID1"},"messaging_type":"UPDATE","message":{"text":"Hello Ana","quick_replies":[
				{"content_type":"text","title":"Yes","payload":"Q_YES"},{"content_type":"text","title":"No","payload":"Q_NO"}]}}`},
		{"image quick replies", imageQR, SendOptions{Tag: TagPostPurchaseUpdate},
			`{"recipient":{"id":"PSID1"},"messaging_type":"MESSAGE_TAG","tag":"POST_PURCHASE_UPDATE","message":{
				"attachment":{"type":"image","payload":{"url":"https://cdn.example.com/a.png","is_reusable":true}},
				"quick_replies":[{"content_type":"text","title":"More","payload":"MORE"}]}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeGraph(t, reply(200, `{"recipient_id":"PSID1","message_id":"m_AAA"}`))
			res := f.client().SendMessage(context.Background(), "PSID1", tc.msg, tc.opts)
			if res.Outcome != channels.Sent || res.ProviderMessageID != "m_AAA" || res.HTTPStatus != 200 {
				t.Fatalf("result = %+v, want Sent m_AAA", res)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodPost || r.Path != "/v23.0/me/messages" {
				t.Errorf("request %s %s, want POST /v23.0/me/messages", r.Method, r.Path)
			}
			if r.Token != testToken {
				t.Errorf("access_token = %q", r.Token)
			}
			if r.ContentType != "application/json" {
				t.Errorf("Content-Type = %q", r.ContentType)
			}
			assertJSON(t, r.Body, tc.want)
		})
	}
}

func TestSendUsesConfiguredVersion(t *testing.T) {
	f := newFakeGraph(t, reply(200, `{"message_id":"m_1"}`))
	c := New(Config{BaseURL: f.URL + "/", APIVersion: "v99.0", PageAccessToken: testToken})
	if res := c.SendMessage(context.Background(), "P", must(t)(Text("hi")), SendOptions{}); res.Outcome != channels.Sent {
		t.Fatalf("result %+v", res)
	}
	if p := f.requests()[0].Path; p != "/v99.0/me/messages" {
		t.Errorf("path %q", p)
	}
}

func TestNewDefaults(t *testing.T) {
	c := New(Config{PageAccessToken: "x", PageID: "123"})
	if c.root != "https://graph.facebook.com/v23.0" {
		t.Errorf("root = %q", c.root)
	}
	if c.http == nil || c.http.Timeout != 30*time.Second {
		t.Errorf("default HTTP client = %+v", c.http)
	}
	if c.PageID() != "123" {
		t.Errorf("PageID = %q", c.PageID())
	}
}

// Requests that can never succeed are refused locally, without a call.
func TestSendRefusedLocally(t *testing.T) {
	f := newFakeGraph(t, reply(200, `{"message_id":"m_1"}`))
	text := must(t)(Text("hi"))
	cases := []struct {
		name string
		c    *Client
		psid string
		msg  Message
		opts SendOptions
		want string
	}{
		{"human agent tag", f.client(), "P", text, SendOptions{Tag: "HUMAN_AGENT"}, channels.ReasonBadRequest},
		{"unknown tag", f.client(), "P", text, SendOptions{Tag: "PROMOTION"}, channels.ReasonBadRequest},
		{"lowercase tag", f.client(), "P", text, SendOptions{Tag: "account_update"}, channels.ReasonBadRequest},
		{"response with tag", f.client(), "P", text, SendOptions{Tag: TagAccountUpdate, Response: true}, channels.ReasonBadRequest},
		{"empty message", f.client(), "P", Message{}, SendOptions{}, channels.ReasonBadRequest},
		{"hand-built over limit", f.client(), "P", Message{Text: strings.Repeat("a", MaxTextChars+1)}, SendOptions{}, channels.ReasonBadRequest},
		{"empty psid", f.client(), "", text, SendOptions{}, channels.ReasonBadRequest},
		{"no token", New(Config{BaseURL: f.URL}), "P", text, SendOptions{}, channels.ReasonInvalidToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.c.SendMessage(context.Background(), tc.psid, tc.msg, tc.opts)
			if res.Outcome != channels.Permanent || res.Reason != tc.want {
				t.Errorf("result %+v, want Permanent %s", res, tc.want)
			}
			if tc.want == channels.ReasonInvalidToken && !res.PauseChannel {
				t.Error("missing token must pause the channel")
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests made, want none", n)
	}
}

func TestTagModes(t *testing.T) {
	for _, tag := range Tags() {
		if !ValidTag(tag) {
			t.Errorf("Tags() lists %q but ValidTag refuses it", tag)
		}
		mt, got, err := SendOptions{Tag: tag}.messagingType()
		if err != nil || mt != MessagingTypeMessageTag || got != tag {
			t.Errorf("tag %q → %q %q %v", tag, mt, got, err)
		}
	}
	for _, bad := range []string{"HUMAN_AGENT", "CUSTOMER_FEEDBACK", "x"} {
		if _, _, err := (SendOptions{Tag: bad}).messagingType(); !errors.Is(err, ErrTagNotAllowed) {
			t.Errorf("tag %q: err = %v, want ErrTagNotAllowed", bad, err)
		}
	}
}

// A 2xx whose body cannot be read proves nothing about which message went
// out: Uncertain (never resent: the Send API has no idempotency key), as
// on every platform.
func TestSendSuccessWithOddBody(t *testing.T) {
	f := newFakeGraph(t, reply(200, `not json`))
	res := f.client().SendMessage(context.Background(), "P", must(t)(Text("hi")), SendOptions{})
	if res.Outcome != channels.Uncertain || res.RetrySafe || res.HTTPStatus != 200 {
		t.Errorf("result %+v, want Uncertain, not retry-safe", res)
	}
}

func graphError(code, subcode int, msg string) string {
	return `{"error":{"message":"` + msg + `","type":"OAuthException","code":` + strconv.Itoa(code) +
		`,"error_subcode":` + strconv.Itoa(subcode) + `,"fbtrace_id":"AbCdEf"}}`
}

func TestSendClassification(t *testing.T) {
	httpDate := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		name          string
		status        int
		body          string
		retryAfter    string
		outcome       channels.Outcome
		reason        string
		pause, stop   bool
		code, subcode int
		minRetryAfter time.Duration
	}{
		{"outside window", 400, graphError(10, 2018278, "This message is sent outside of allowed window."), "", channels.Permanent, channels.ReasonOutsideWindow, false, false, 10, 2018278, 0},
		{"outside window (old subcode)", 400, graphError(10, 2018065, "outside of allowed window"), "", channels.Permanent, channels.ReasonOutsideWindow, false, false, 10, 2018065, 0},
		{"page restricted", 400, graphError(10, 1893063, "Page restricted"), "", channels.Permanent, channels.ReasonPageRestricted, true, false, 10, 1893063, 0},
		{"permission denied other subcode", 403, graphError(10, 0, "Permission denied"), "", channels.Permanent, channels.ReasonPermission, false, false, 10, 0, 0},
		{"person unavailable", 400, graphError(551, 1545041, "This person isn't available right now."), "", channels.Permanent, channels.ReasonUnavailable, false, false, 551, 1545041, 0},
		{"too many calls", 400, graphError(4, 0, "Application request limit reached"), "", channels.Retryable, channels.ReasonRateLimited, false, false, 4, 0, 0},
		{"rate limited 613", 400, graphError(613, 0, "Calls to this api have exceeded the rate limit."), "30", channels.Retryable, channels.ReasonRateLimited, false, false, 613, 0, 30 * time.Second},
		{"page rate limit 32", 400, graphError(32, 0, "Page request limit reached"), "", channels.Retryable, channels.ReasonRateLimited, false, false, 32, 0, 0},
		{"service temporary", 500, graphError(2, 0, "An unexpected error has occurred. Please retry your request later."), "", channels.Retryable, channels.ReasonTemporary, false, false, 2, 0, 0},
		{"service temporary on 400", 400, graphError(2, 0, "Service temporarily unavailable"), "", channels.Retryable, channels.ReasonTemporary, false, false, 2, 0, 0},
		{"invalid token", 400, graphError(190, 460, "Error validating access token"), "", channels.Permanent, channels.ReasonInvalidToken, true, false, 190, 460, 0},
		{"permission 200", 403, graphError(200, 0, "Permissions error"), "", channels.Permanent, channels.ReasonPermission, false, false, 200, 0, 0},
		{"permission 230", 400, graphError(230, 0, "Requires pages_messaging permission"), "", channels.Permanent, channels.ReasonPermission, false, false, 230, 0, 0},
		{"abusive", 400, graphError(368, 1390008, "The action attempted has been deemed abusive"), "", channels.Permanent, channels.ReasonAbusive, false, true, 368, 1390008, 0},
		{"no such user", 400, graphError(100, 2018001, "No matching user found"), "", channels.Permanent, channels.ReasonNoSuchUser, false, false, 100, 2018001, 0},
		{"invalid parameter", 400, graphError(100, 0, "Invalid parameter"), "", channels.Permanent, channels.ReasonBadRequest, false, false, 100, 0, 0},
		{"unknown code on 400", 400, graphError(12345, 0, "Something"), "", channels.Permanent, channels.ReasonBadRequest, false, false, 12345, 0, 0},
		{"404 without envelope", 404, `<html>nope</html>`, "", channels.Permanent, channels.ReasonBadRequest, false, false, 0, 0, 0},
		{"401 without code", 401, `{}`, "", channels.Permanent, channels.ReasonInvalidToken, true, false, 0, 0, 0},
		{"502 html", 502, `<html>bad gateway</html>`, "", channels.Retryable, channels.ReasonTemporary, false, false, 0, 0, 0},
		{"503 unknown code", 503, graphError(99999, 0, "down"), "", channels.Retryable, channels.ReasonTemporary, false, false, 99999, 0, 0},
		{"429 retry-after seconds", 429, `{}`, "7", channels.Retryable, channels.ReasonRateLimited, false, false, 0, 0, 7 * time.Second},
		{"429 retry-after date", 429, `{}`, httpDate, channels.Retryable, channels.ReasonRateLimited, false, false, 0, 0, 60 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				reply(tc.status, tc.body)(w, r)
			})
			res := f.client().SendMessage(context.Background(), "PSID", must(t)(Text("hi")), SendOptions{})
			if res.Outcome != tc.outcome || res.Reason != tc.reason {
				t.Errorf("outcome %v/%s, want %v/%s (detail %q)", res.Outcome, res.Reason, tc.outcome, tc.reason, res.Detail)
			}
			if res.PauseChannel != tc.pause || res.StopBroadcast != tc.stop {
				t.Errorf("pause=%v stop=%v, want %v %v", res.PauseChannel, res.StopBroadcast, tc.pause, tc.stop)
			}
			if res.HTTPStatus != tc.status || res.PlatformCode != tc.code || res.PlatformSubcode != tc.subcode {
				t.Errorf("status/code/subcode = %d/%d/%d, want %d/%d/%d", res.HTTPStatus, res.PlatformCode, res.PlatformSubcode, tc.status, tc.code, tc.subcode)
			}
			if res.Detail == "" {
				t.Error("empty detail")
			}
			if tc.minRetryAfter > 0 && (res.RetryAfter < tc.minRetryAfter || res.RetryAfter > tc.minRetryAfter+time.Minute) {
				t.Errorf("RetryAfter = %v, want about %v", res.RetryAfter, tc.minRetryAfter)
			}
			if tc.minRetryAfter == 0 && res.RetryAfter != 0 {
				t.Errorf("RetryAfter = %v, want 0", res.RetryAfter)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests, want exactly 1 (no automatic retry)", n)
			}
		})
	}
}

func TestClassificationKeepsPlatformMessage(t *testing.T) {
	f := newFakeGraph(t, reply(400, graphError(551, 1545041, "This person isn't available right now.")))
	res := f.client().SendMessage(context.Background(), "P", must(t)(Text("hi")), SendOptions{})
	if res.Detail != "This person isn't available right now." {
		t.Errorf("Detail = %q", res.Detail)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 0, "0": 0, "-5": 0, "12": 12 * time.Second, "junk": 0,
		"99999999999999999": channels.MaxRetryAfter, "Mon, 02 Jan 2006 15:04:05 GMT": 0} {
		h := http.Header{}
		h.Set("Retry-After", v)
		if got := channels.RetryAfter(h, time.Now()); got != want {
			t.Errorf("Retry-After %q → %v, want %v", v, got, want)
		}
	}
}

// A server that accepts the request but never answers leaves the outcome
// unknown: the message may have been delivered.
func TestSendTimeoutIsUncertain(t *testing.T) {
	var hits atomic.Int32
	release := make(chan struct{})
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := New(Config{BaseURL: f.URL, PageAccessToken: testToken, HTTPClient: &http.Client{Timeout: 150 * time.Millisecond}})
	res := c.SendMessage(context.Background(), "P", must(t)(Text("hi")), SendOptions{})
	if res.Outcome != channels.Uncertain || res.Reason != channels.ReasonNoAnswer {
		t.Fatalf("result %+v, want Uncertain no_answer", res)
	}
	if strings.Contains(res.Detail, testToken) {
		t.Errorf("detail leaks the token: %q", res.Detail)
	}
	if hits.Load() != 1 {
		t.Errorf("%d requests, want 1", hits.Load())
	}
}

// The connection dropping after the request was sent is also Uncertain,
// and the transport must not silently resend the POST.
func TestSendConnectionCutIsUncertain(t *testing.T) {
	var hits atomic.Int32
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	})
	res := f.client().SendMessage(context.Background(), "P", must(t)(Text("hi")), SendOptions{})
	if res.Outcome != channels.Uncertain || res.Reason != channels.ReasonNoAnswer {
		t.Fatalf("result %+v, want Uncertain no_answer", res)
	}
	if hits.Load() != 1 {
		t.Errorf("%d requests, want 1", hits.Load())
	}
}

// A refused connection means the request never left: safe to retry.
func TestSendConnectionRefusedIsRetryable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := New(Config{BaseURL: "http://" + addr, PageAccessToken: testToken, HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	res := c.SendMessage(context.Background(), "P", must(t)(Text("hi")), SendOptions{})
	if res.Outcome != channels.Retryable || res.Reason != channels.ReasonTemporary || res.HTTPStatus != 0 {
		t.Fatalf("result %+v, want Retryable temporary", res)
	}
	if strings.Contains(res.Detail, testToken) || !strings.Contains(res.Detail, "REDACTED") {
		t.Errorf("detail must carry the redacted URL, not the token: %q", res.Detail)
	}
}

// A context cancelled before the call never sends anything either.
func TestSendCancelledContextIsRetryable(t *testing.T) {
	f := newFakeGraph(t, reply(200, `{"message_id":"m"}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := f.client().SendMessage(ctx, "P", must(t)(Text("hi")), SendOptions{})
	if res.Outcome != channels.Retryable {
		t.Fatalf("result %+v, want Retryable", res)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}
