package whatsapp

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"omnicast/channels"
)

const okSendReply = `{"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}`

func TestSendTemplateValidAgainstSpec(t *testing.T) {
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Method != http.MethodPost || r.URL.Path != "/v23.0/"+testPhoneID+"/messages" {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, okSendReply)
	})
	msg := NewTemplateMessage("16505551234", "spring_sale", "en_US").
		WithHeaderText("Spring").
		WithBody("Sheena", "20%").
		WithQuickReply(1, "STOP_PROMOS").
		WithQuickReply(0, "SHOW_ME")
	r := fg.client().SendTemplate(context.Background(), msg)
	if r.Outcome != channels.Sent || r.ProviderMessageID != "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA" || r.HTTPStatus != 200 {
		t.Fatalf("result = %+v", r)
	}
	if n := fg.validateAll(t); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	var got map[string]any
	if err := json.Unmarshal(fg.requests()[0].body, &got); err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	json.Unmarshal([]byte(`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template",
		"template":{"name":"spring_sale","language":{"policy":"deterministic","code":"en_US"},"components":[
		{"type":"header","parameters":[{"type":"text","text":"Spring"}]},
		{"type":"body","parameters":[{"type":"text","text":"Sheena"},{"type":"text","text":"20%"}]},
		{"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload","payload":"SHOW_ME"}]},
		{"type":"button","sub_type":"quick_reply","index":"1","parameters":[{"type":"payload","payload":"STOP_PROMOS"}]}]}}`), &want)
	if string(mustJSON(t, got)) != string(mustJSON(t, want)) {
		t.Errorf("body\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
	}
}

func TestSendTemplateImageHeaderValidAgainstSpec(t *testing.T) {
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) { io.WriteString(w, okSendReply) })
	msg := NewTemplateMessage("16505551234", "new_arrivals", "pt_BR").WithHeaderImage("https://cdn.example.com/a.jpg").WithBody("Ana")
	if r := fg.client().SendTemplate(context.Background(), msg); r.Outcome != channels.Sent {
		t.Fatalf("result = %+v", r)
	}
	fg.validateAll(t)
	if b := string(fg.requests()[0].body); !strings.Contains(b, `{"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example.com/a.jpg"}}]}`) {
		t.Errorf("image header missing: %s", b)
	}
}

func TestSendTextValidAgainstSpec(t *testing.T) {
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) { io.WriteString(w, okSendReply) })
	r := fg.client().SendText(context.Background(), "16505551234", "Thanks! Here is the menu.")
	if r.Outcome != channels.Sent || !strings.HasPrefix(r.ProviderMessageID, "wamid.") {
		t.Fatalf("result = %+v", r)
	}
	if n := fg.validateAll(t); n != 1 {
		t.Fatalf("%d requests", n)
	}
	want := `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"body":"Thanks! Here is the menu.","preview_url":false}}`
	if got := string(fg.requests()[0].body); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func TestInvalidMessagesAreNotSent(t *testing.T) {
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) { io.WriteString(w, okSendReply) })
	c := fg.client()
	for name, msg := range map[string]*TemplateMessage{
		"nil":            nil,
		"no recipient":   NewTemplateMessage("", "t", "en"),
		"no name":        NewTemplateMessage("1", "", "en"),
		"no language":    NewTemplateMessage("1", "t", ""),
		"empty body":     NewTemplateMessage("1", "t", "en").WithBody("a", " "),
		"empty header":   NewTemplateMessage("1", "t", "en").WithHeaderText(""),
		"text and image": NewTemplateMessage("1", "t", "en").WithHeaderText("a").WithHeaderImage("https://x/a.png"),
		"bad image link": NewTemplateMessage("1", "t", "en").WithHeaderImage("file:///etc/passwd"),
		"index 10":       NewTemplateMessage("1", "t", "en").WithQuickReply(10, "P"),
		"negative index": NewTemplateMessage("1", "t", "en").WithQuickReply(-1, "P"),
		"empty payload":  NewTemplateMessage("1", "t", "en").WithQuickReply(0, ""),
	} {
		if r := c.SendTemplate(context.Background(), msg); r.Outcome != channels.Permanent || r.Reason != channels.ReasonBadRequest || r.Detail == "" {
			t.Errorf("%s: %+v", name, r)
		}
	}
	for _, text := range []string{"", "  \n"} {
		if r := c.SendText(context.Background(), "1", text); r.Outcome != channels.Permanent {
			t.Errorf("text %q: %+v", text, r)
		}
	}
	if r := c.SendText(context.Background(), "", "hi"); r.Outcome != channels.Permanent {
		t.Errorf("text without recipient: %+v", r)
	}
	if n := len(fg.requests()); n != 0 {
		t.Fatalf("%d requests sent for invalid messages", n)
	}
}

func TestWithQuickReplyReplacesSameIndex(t *testing.T) {
	m := NewTemplateMessage("1", "t", "en").WithQuickReply(0, "A").WithQuickReply(0, "B")
	if len(m.QuickReplies) != 1 || m.QuickReplies[0].Payload != "B" {
		t.Fatalf("quick replies = %+v", m.QuickReplies)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestTemplateMessageMinimalJSON(t *testing.T) {
	b, err := json.Marshal(NewTemplateMessage("16505551234", "hello_world", "en_US"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"hello_world","language":{"policy":"deterministic","code":"en_US"}}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	if err := validateBody(whatsappSpec(t), "/v23.0/1/messages", string(b)); err != nil {
		t.Fatal(err)
	}
}

func graphError(code, subcode int, msg, details string) string {
	e := map[string]any{"message": msg, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
	if subcode != 0 {
		e["error_subcode"] = subcode
	}
	if details != "" {
		e["error_data"] = map[string]any{"messaging_product": "whatsapp", "details": details}
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return string(b)
}

func TestSendClassification(t *testing.T) {
	type want struct {
		outcome       channels.Outcome
		reason        string
		pause, stop   bool
		retryAfter    time.Duration
		detailHas     string
		code, subcode int
	}
	cases := []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   want
	}{
		{"outside window 131047", 400, nil, graphError(131047, 0, "(#131047) Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
			want{outcome: channels.Permanent, reason: channels.ReasonOutsideWindow, detailHas: "more than 24 hours", code: 131047}},
		{"undeliverable 131026", 400, nil, graphError(131026, 0, "Message undeliverable", ""),
			want{outcome: channels.Permanent, reason: channels.ReasonUnavailable, detailHas: "undeliverable", code: 131026}},
		{"throughput 130429", 400, nil, graphError(130429, 0, "Rate limit hit", ""),
			want{outcome: channels.Retryable, reason: channels.ReasonRateLimited, code: 130429}},
		{"pair rate 131056", 400, nil, graphError(131056, 0, "(Business Account, Consumer Account) pair rate limit hit", ""),
			want{outcome: channels.Retryable, reason: channels.ReasonRateLimited, code: 131056}},
		{"spam 131048", 400, nil, graphError(131048, 0, "Spam rate limit hit", ""),
			want{outcome: channels.Permanent, reason: channels.ReasonSpamLimit, pause: true, code: 131048}},
		{"ecosystem 131049", 400, nil, graphError(131049, 0, "This message was not delivered to maintain healthy ecosystem engagement.", ""),
			want{outcome: channels.Permanent, reason: channels.ReasonEcosystem, code: 131049}},
		{"token 190 on 401", 401, nil, graphError(190, 463, "Error validating access token: Session has expired", ""),
			want{outcome: channels.Permanent, reason: channels.ReasonInvalidToken, pause: true, code: 190, subcode: 463, detailHas: "Session has expired"}},
		{"token 190 on 400", 400, nil, graphError(190, 0, "Invalid OAuth access token", ""),
			want{outcome: channels.Permanent, reason: channels.ReasonInvalidToken, pause: true, code: 190}},
		{"bare 401", 401, nil, "",
			want{outcome: channels.Permanent, reason: channels.ReasonInvalidToken, pause: true, detailHas: "Unauthorized"}},
		{"invalid parameter 100", 400, nil, graphError(100, 2494010, "(#100) Invalid parameter", "Parameter to is invalid"),
			want{outcome: channels.Permanent, reason: channels.ReasonBadRequest, code: 100, subcode: 2494010, detailHas: "Parameter to is invalid"}},
		{"404 html", 404, nil, "<html><body>Not found</body></html>",
			want{outcome: channels.Permanent, reason: channels.ReasonBadRequest, detailHas: "Not Found"}},
		{"429 with Retry-After", 429, map[string]string{"Retry-After": "7"}, graphError(4, 0, "(#4) Application request limit reached", ""),
			want{outcome: channels.Retryable, reason: channels.ReasonRateLimited, retryAfter: 7 * time.Second, code: 4}},
		{"bare 429", 429, nil, "",
			want{outcome: channels.Retryable, reason: channels.ReasonRateLimited}},
		{"503 with Retry-After", 503, map[string]string{"Retry-After": "120"}, "",
			want{outcome: channels.Retryable, reason: channels.ReasonTemporary, retryAfter: 120 * time.Second}},
		{"500 131000", 500, nil, graphError(131000, 0, "Something went wrong", ""),
			want{outcome: channels.Retryable, reason: channels.ReasonTemporary, code: 131000}},
		{"account locked 131031", 400, nil, graphError(131031, 0, "Business Account locked", ""),
			want{outcome: channels.Permanent, reason: channels.ReasonPageRestricted, pause: true, code: 131031}},
		{"template missing 132001", 404, nil, graphError(132001, 0, "Template name does not exist in the translation", ""),
			want{outcome: channels.Permanent, reason: channels.ReasonBadRequest, stop: true, code: 132001}},
		{"200 without id", 200, nil, `{"messaging_product":"whatsapp"}`,
			want{outcome: channels.Uncertain, reason: channels.ReasonNoAnswer}},
		{"200 not json", 200, nil, `<html>ok</html>`,
			want{outcome: channels.Uncertain, reason: channels.ReasonNoAnswer}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			r := fg.client().SendText(context.Background(), "16505551234", "hi")
			fg.validateAll(t)
			w := tc.want
			if r.Outcome != w.outcome || r.Reason != w.reason || r.PauseChannel != w.pause || r.StopBroadcast != w.stop ||
				r.RetryAfter != w.retryAfter || r.PlatformCode != w.code || r.PlatformSubcode != w.subcode || r.HTTPStatus != tc.status {
				t.Errorf("got %+v\nwant %+v", r, w)
			}
			if !strings.Contains(r.Detail, w.detailHas) {
				t.Errorf("detail %q lacks %q", r.Detail, w.detailHas)
			}
			if r.ProviderMessageID != "" {
				t.Errorf("provider id %q on a failure", r.ProviderMessageID)
			}
		})
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		" 2 ":                           2 * time.Second,
		"-5":                            0,
		"soon":                          0,
		"Sun, 01 Jun 2025 12:01:30 GMT": 90 * time.Second,
		"Sun, 01 Jun 2025 11:00:00 GMT": 0,
	} {
		h := http.Header{}
		if v != "" {
			h.Set("Retry-After", v)
		}
		if got := channels.RetryAfter(h, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
}

func TestSendTimeoutIsUncertain(t *testing.T) {
	release := make(chan struct{})
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := New(Config{BaseURL: fg.URL, PhoneNumberID: testPhoneID, AccessToken: testToken,
		HTTPClient: &http.Client{Timeout: 150 * time.Millisecond}})
	r := c.SendTemplate(context.Background(), NewTemplateMessage("16505551234", "hello_world", "en_US"))
	if r.Outcome != channels.Uncertain || r.Reason != channels.ReasonNoAnswer || r.HTTPStatus != 0 {
		t.Fatalf("result = %+v", r)
	}
	if strings.Contains(r.Detail, testToken) {
		t.Fatal("token in detail")
	}
	if n := fg.validateAll(t); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

func TestSendContextDeadlineIsUncertain(t *testing.T) {
	release := make(chan struct{})
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if r := fg.client().SendText(ctx, "16505551234", "hi"); r.Outcome != channels.Uncertain || r.Reason != channels.ReasonNoAnswer {
		t.Fatalf("result = %+v", r)
	}
}

func TestSendConnectionRefusedIsRetryable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := New(Config{BaseURL: "http://" + addr, PhoneNumberID: testPhoneID, AccessToken: testToken})
	r := c.SendText(context.Background(), "16505551234", "hi")
	if r.Outcome != channels.Retryable || r.Reason != channels.ReasonTemporary || r.Detail == "" {
		t.Fatalf("result = %+v", r)
	}
}

func TestSendCancelledBeforeSendingIsRetryable(t *testing.T) {
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) { io.WriteString(w, okSendReply) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := fg.client().SendText(ctx, "16505551234", "hi"); r.Outcome != channels.Retryable {
		t.Fatalf("result = %+v", r)
	}
	if n := len(fg.requests()); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}

func TestSendConnectionCutIsUncertain(t *testing.T) {
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	})
	r := fg.client().SendText(context.Background(), "16505551234", "hi")
	if r.Outcome != channels.Uncertain || r.Reason != channels.ReasonNoAnswer {
		t.Fatalf("result = %+v", r)
	}
	if n := fg.validateAll(t); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

func TestSendReplyCutAfterStatus(t *testing.T) {
	for _, tc := range []struct {
		status  int
		outcome channels.Outcome
		reason  string
	}{
		{200, channels.Uncertain, channels.ReasonNoAnswer},
		{503, channels.Retryable, channels.ReasonTemporary},
		{400, channels.Permanent, channels.ReasonBadRequest},
	} {
		fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(tc.status)
			io.WriteString(w, `{"messaging_product":"whats`)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		})
		r := fg.client().SendText(context.Background(), "16505551234", "hi")
		if r.Outcome != tc.outcome || r.Reason != tc.reason || r.HTTPStatus != tc.status {
			t.Errorf("status %d: result = %+v", tc.status, r)
		}
	}
}

func TestTokenNeverInDetail(t *testing.T) {
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.WriteHeader(400)
		io.WriteString(w, graphError(100, 0, "bad token "+testToken, "you sent "+testToken))
	})
	r := fg.client().SendText(context.Background(), "16505551234", "hi")
	if strings.Contains(r.Detail, testToken) || !strings.Contains(r.Detail, "[redacted]") {
		t.Fatalf("detail %q", r.Detail)
	}
	_, err := fg.client().PhoneNumber(context.Background())
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err %v", err)
	}
}

func TestSendWithBrokenBaseURL(t *testing.T) {
	c := New(Config{BaseURL: "http://bad host", PhoneNumberID: testPhoneID, AccessToken: testToken})
	if r := c.SendText(context.Background(), "1", "hi"); r.Outcome != channels.Permanent || !r.PauseChannel || r.Reason != channels.ReasonBadRequest {
		t.Fatalf("result = %+v", r)
	}
	if _, err := c.PhoneNumber(context.Background()); err == nil {
		t.Fatal("no error")
	}
}

func TestSendWithoutPhoneNumberID(t *testing.T) {
	c := New(Config{BaseURL: "http://127.0.0.1:1", AccessToken: testToken})
	if r := c.SendText(context.Background(), "1", "hi"); r.Outcome != channels.Permanent || !r.PauseChannel {
		t.Fatalf("result = %+v", r)
	}
}
