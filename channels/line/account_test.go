package line

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"omnicast/channels"
)

func TestProfile(t *testing.T) {
	f := newFakeLINE(t, jsonAnswer(200, `{"displayName":"LINE taro","userId":"U4af4980629aaaaaaaaaaaaaaaaaaaaaa","language":"en","pictureUrl":"https://profile.line-scdn.net/ch/v2/p/uf9da5ee2b...","statusMessage":"Hello, LINE!"}`))
	p, err := f.client().Profile(context.Background(), "U4af4980629aaaaaaaaaaaaaaaaaaaaaa")
	if err != nil {
		t.Fatal(err)
	}
	want := channels.Profile{Name: "LINE taro", PictureURL: "https://profile.line-scdn.net/ch/v2/p/uf9da5ee2b..."}
	if p != want {
		t.Errorf("profile = %+v, want %+v", p, want)
	}
	req := f.only()
	if req.Method != http.MethodGet || req.Path != "/v2/bot/profile/U4af4980629aaaaaaaaaaaaaaaaaaaaaa" {
		t.Errorf("request = %s %s", req.Method, req.Path)
	}
}

func TestProfileEscapesTheUserID(t *testing.T) {
	f := newFakeLINE(t, jsonAnswer(404, `{"message":"Not found"}`))
	_, err := f.client().Profile(context.Background(), "U1/../info")
	if err == nil {
		t.Fatal("no error for 404")
	}
	reqs := f.requests()
	if len(reqs) != 1 || reqs[0].Path != "/v2/bot/profile/U1%2F..%2Finfo" {
		t.Errorf("path = %v", reqs)
	}
	if _, err := f.client().Profile(context.Background(), ""); err == nil {
		t.Error("empty user id accepted")
	}
}

func TestBotInfo(t *testing.T) {
	f := newFakeLINE(t, jsonAnswer(200, `{"userId":"Ub9952f8","basicId":"@216ru...","displayName":"Example name","pictureUrl":"https://obs.line-apps.com/...","chatMode":"chat","markAsReadMode":"manual"}`))
	b, err := f.client().BotInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if b.DisplayName != "Example name" || b.BasicID != "@216ru..." || b.UserID != "Ub9952f8" || b.ChatMode != "chat" || b.MarkAsRead != "manual" {
		t.Errorf("bot info = %+v", b)
	}
	if req := f.only(); req.Path != "/v2/bot/info" {
		t.Errorf("path = %s", req.Path)
	}
}

func TestQuota(t *testing.T) {
	for _, tc := range []struct {
		body string
		want MessageQuota
	}{
		{`{"type":"none"}`, MessageQuota{Type: QuotaNone}},
		{`{"type":"limited","value":1000}`, MessageQuota{Type: QuotaLimited, Value: 1000}},
	} {
		f := newFakeLINE(t, jsonAnswer(200, tc.body))
		q, err := f.client().Quota(context.Background())
		if err != nil || q != tc.want {
			t.Errorf("quota for %s = %+v, %v; want %+v", tc.body, q, err, tc.want)
		}
		if req := f.only(); req.Path != "/v2/bot/message/quota" {
			t.Errorf("path = %s", req.Path)
		}
	}
}

func TestQuotaConsumption(t *testing.T) {
	f := newFakeLINE(t, jsonAnswer(200, `{"totalUsage":500}`))
	n, err := f.client().QuotaConsumption(context.Background())
	if err != nil || n != 500 {
		t.Errorf("consumption = %d, %v", n, err)
	}
	if req := f.only(); req.Path != "/v2/bot/message/quota/consumption" {
		t.Errorf("path = %s", req.Path)
	}
}

// TestLookupErrorsCarryLINEsWords: failures of the read calls come back as
// *APIError with LINE's message, readable by an admin, and never the token.
func TestLookupErrorsCarryLINEsWords(t *testing.T) {
	calls := map[string]func(*Client) error{
		"profile":  func(c *Client) error { _, err := c.Profile(context.Background(), "U1"); return err },
		"bot info": func(c *Client) error { _, err := c.BotInfo(context.Background()); return err },
		"quota":    func(c *Client) error { _, err := c.Quota(context.Background()); return err },
		"consumption": func(c *Client) error {
			_, err := c.QuotaConsumption(context.Background())
			return err
		},
	}
	answers := []struct {
		status     int
		body       string
		wantStatus int
		wantText   string
	}{
		{401, `{"message":"Authentication failed. Confirm that the access token in the authorization header is valid."}`, 401, "Authentication failed"},
		{400, `{"message":"The request body has 1 error(s)","details":[{"message":"Invalid","property":"userId"}]}`, 400, "userId: Invalid"},
		{500, `<html>oops</html>`, 500, "Internal Server Error"},
	}
	for name, call := range calls {
		for _, a := range answers {
			f := newFakeLINE(t, jsonAnswer(a.status, a.body, "X-Line-Request-Id", "req-1"))
			err := call(f.client())
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Errorf("%s/%d: error %v is not *APIError", name, a.status, err)
				continue
			}
			if apiErr.Status != a.wantStatus || apiErr.RequestID != "req-1" || !strings.Contains(err.Error(), a.wantText) {
				t.Errorf("%s/%d: error = %v (%+v)", name, a.status, err, apiErr)
			}
			if !strings.HasPrefix(err.Error(), "line: ") || strings.Contains(err.Error(), testToken) {
				t.Errorf("%s: error %q lacks context or leaks the token", name, err)
			}
			f.only()
		}
	}
}

func TestLookupTransportAndDecodeErrors(t *testing.T) {
	f := newFakeLINE(t, jsonAnswer(200, `{"displayName":`))
	if _, err := f.client().BotInfo(context.Background()); err == nil || !strings.Contains(err.Error(), "decoding") {
		t.Errorf("truncated answer: %v", err)
	}
	if _, err := New(Config{BaseURL: f.srv.URL}).BotInfo(context.Background()); !errors.Is(err, ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	f.srv.Close()
	if _, err := f.client().Quota(context.Background()); err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("closed server: %v", err)
	}
}
