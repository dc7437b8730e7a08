package line

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"omnicast/channels"
)

// sampleMessages builds one message of every kind omnicast sends, at the
// upper limits LINE allows, with quick replies on several of them.
func sampleMessages(t *testing.T) map[string]Message {
	t.Helper()
	text := must(NewText("Hello 👋 from omnicast"))
	image := must(NewImage("https://cdn.example.com/a.jpg", "https://cdn.example.com/a-preview.jpg"))
	buttons := must(NewButtons("Spring sale", ButtonsTemplate{
		ThumbnailImageURL:    "https://cdn.example.com/sale.png",
		ImageAspectRatio:     AspectSquare,
		ImageSize:            SizeContain,
		ImageBackgroundColor: "#FFEEDD",
		Title:                "Spring sale",
		Text:                 "Up to 50% off this week",
		DefaultAction:        URIAction{URI: "https://shop.example.com/"},
		Actions: []Action{
			PostbackAction{Label: "Interested", Data: "b=1&a=yes", DisplayText: "I'm interested"},
			URIAction{Label: "Open shop", URI: "https://shop.example.com/sale"},
			MessageAction{Label: "Say hi", Text: "hi"},
			URIAction{Label: "Call us", URI: "tel:+886212345678"},
		},
	}))
	cols := make([]CarouselColumn, maxCarouselColumns)
	for i := range cols {
		cols[i] = CarouselColumn{
			ThumbnailImageURL: "https://cdn.example.com/p.png",
			Title:             "Product",
			Text:              "A fine product",
			Actions: []Action{
				PostbackAction{Label: "Buy", Data: "buy"},
				URIAction{Label: "Details", URI: "https://shop.example.com/p"},
				MessageAction{Label: "Ask", Text: "question"},
			},
		}
	}
	carousel := must(NewCarousel("Our products", CarouselTemplate{Columns: cols, ImageAspectRatio: AspectRectangle, ImageSize: SizeCover}))
	items := make([]QuickReplyItem, maxQuickReplyItems)
	for i := range items {
		switch i % 3 {
		case 0:
			items[i] = QuickReplyItem{ImageURL: "https://cdn.example.com/i.png", Action: PostbackAction{Label: "Yes", Data: "yes", DisplayText: "Yes"}}
		case 1:
			items[i] = QuickReplyItem{Action: MessageAction{Label: "No", Text: "no"}}
		default:
			items[i] = QuickReplyItem{Action: URIAction{Label: "Web", URI: "https://example.com"}}
		}
	}
	return map[string]Message{
		"text":                text,
		"image":               image,
		"buttons":             buttons,
		"carousel":            carousel,
		"text+quickReply":     must(WithQuickReply(text, items...)),
		"image+quickReply":    must(WithQuickReply(image, items[:2]...)),
		"buttons+quickReply":  must(WithQuickReply(buttons, items[1])),
		"carousel+quickReply": must(WithQuickReply(carousel, items[2])),
	}
}

func TestPushEveryMessageKindIsSpecValid(t *testing.T) {
	for name, msg := range sampleMessages(t) {
		t.Run(name, func(t *testing.T) {
			f := newFakeLINE(t, jsonAnswer(200, `{"sentMessages":[{"id":"461230966842064897","quoteToken":"IStG5h1Tz7b"}]}`))
			key := NewRetryKey()
			res := f.client().Push(context.Background(), "U4af4980629aaaaaaaaaaaaaaaaaaaaaa", []Message{msg}, key)
			if res.Outcome != channels.Sent || res.ProviderMessageID != "461230966842064897" || res.HTTPStatus != 200 {
				t.Fatalf("result = %+v, want Sent with the message id", res)
			}
			req := f.only()
			if req.Method != http.MethodPost || req.Path != "/v2/bot/message/push" {
				t.Errorf("request = %s %s", req.Method, req.Path)
			}
			if got := req.Header.Get(RetryKeyHeader); got != key {
				t.Errorf("%s = %q, want %q", RetryKeyHeader, got, key)
			}
			if ct := req.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var body struct {
				To       string           `json:"to"`
				Messages []map[string]any `json:"messages"`
			}
			if err := json.Unmarshal(req.Body, &body); err != nil {
				t.Fatal(err)
			}
			if body.To != "U4af4980629aaaaaaaaaaaaaaaaaaaaaa" || len(body.Messages) != 1 {
				t.Errorf("body = %s", req.Body)
			}
			_, hasQR := body.Messages[0]["quickReply"]
			if want := strings.HasSuffix(name, "+quickReply"); hasQR != want {
				t.Errorf("quickReply present = %v, want %v: %s", hasQR, want, req.Body)
			}
		})
	}
}

func TestPushFiveMessagesAndMulticastAreSpecValid(t *testing.T) {
	m := sampleMessages(t)
	five := []Message{m["text"], m["image"], m["buttons"], m["carousel"], m["text+quickReply"]}

	f := newFakeLINE(t, nil) // answers {}
	res := f.client().Push(context.Background(), "Uabc", five, NewRetryKey())
	if res.Outcome != channels.Sent || res.ProviderMessageID != "" {
		t.Errorf("push with {} answer = %+v, want Sent without id", res)
	}
	f.only()

	to := make([]string, MaxMulticastRecipients)
	for i := range to {
		to[i] = "U" + strings.Repeat("0", 31) + string(rune('a'+i%26))
	}
	g := newFakeLINE(t, nil)
	key := NewRetryKey()
	res = g.client().MulticastMessages(context.Background(), to, five, key)
	if res.Outcome != channels.Sent || res.HTTPStatus != 200 {
		t.Fatalf("multicast = %+v, want Sent", res)
	}
	req := g.only()
	if req.Path != "/v2/bot/message/multicast" || req.Header.Get(RetryKeyHeader) != key {
		t.Errorf("multicast request = %s, key %q", req.Path, req.Header.Get(RetryKeyHeader))
	}
	var body struct {
		To       []string          `json:"to"`
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(req.Body, &body); err != nil || len(body.To) != 500 || len(body.Messages) != 5 {
		t.Errorf("multicast body: %d recipients, %d messages, err %v", len(body.To), len(body.Messages), err)
	}
}

func TestRetryKeyHandling(t *testing.T) {
	msg := []Message{must(NewText("hi"))}

	t.Run("same key on every attempt", func(t *testing.T) {
		f := newFakeLINE(t, nil)
		key := NewRetryKey()
		c := f.client()
		c.Push(context.Background(), "U1", msg, key)
		c.Push(context.Background(), "U1", msg, key)
		reqs := f.requests()
		if len(reqs) != 2 || reqs[0].Header.Get(RetryKeyHeader) != key || reqs[1].Header.Get(RetryKeyHeader) != key {
			t.Fatalf("retry keys not repeated: %d requests", len(reqs))
		}
		for _, r := range reqs {
			checkRequest(t, r)
		}
	})
	t.Run("normalised", func(t *testing.T) {
		f := newFakeLINE(t, nil)
		f.client().Push(context.Background(), "U1", msg, "{123E4567-E89B-12D3-A456-426614174000}")
		if got := f.only().Header.Get(RetryKeyHeader); got != "123e4567-e89b-12d3-a456-426614174000" {
			t.Errorf("key sent as %q", got)
		}
	})
	t.Run("none", func(t *testing.T) {
		f := newFakeLINE(t, nil)
		f.client().Push(context.Background(), "U1", msg, "")
		if got := f.only().Header.Values(RetryKeyHeader); len(got) != 0 {
			t.Errorf("empty key sent a header: %q", got)
		}
	})
	t.Run("not a UUID", func(t *testing.T) {
		f := newFakeLINE(t, nil)
		res := f.client().Push(context.Background(), "U1", msg, "attempt-1")
		if res.Outcome != channels.Permanent || res.Reason != channels.ReasonBadRequest {
			t.Errorf("result = %+v", res)
		}
		if n := len(f.requests()); n != 0 {
			t.Errorf("%d requests sent with a bad key", n)
		}
	})
	if a, b := NewRetryKey(), NewRetryKey(); a == b || len(a) != 36 {
		t.Errorf("NewRetryKey = %q, %q", a, b)
	}
}

func TestSendRefusesInvalidRequestsWithoutCallingLINE(t *testing.T) {
	ok := must(NewText("hi"))
	six := []Message{ok, ok, ok, ok, ok, ok}
	tooMany := make([]string, MaxMulticastRecipients+1)
	for i := range tooMany {
		tooMany[i] = "U1"
	}
	cases := []struct {
		name string
		send func(c *Client) channels.SendResult
		want string // substring of Detail
	}{
		{"no messages", func(c *Client) channels.SendResult { return c.Push(context.Background(), "U1", nil, "") }, "0 messages"},
		{"six messages", func(c *Client) channels.SendResult { return c.Push(context.Background(), "U1", six, "") }, "6 messages"},
		{"nil message", func(c *Client) channels.SendResult { return c.Push(context.Background(), "U1", []Message{nil}, "") }, "messages[0]"},
		{"invalid literal", func(c *Client) channels.SendResult {
			return c.Push(context.Background(), "U1", []Message{ok, TextMessage{Text: ""}}, "")
		}, "messages[1].text"},
		{"empty push recipient", func(c *Client) channels.SendResult { return c.Push(context.Background(), "", []Message{ok}, "") }, "recipient"},
		{"no multicast recipients", func(c *Client) channels.SendResult {
			return c.MulticastMessages(context.Background(), nil, []Message{ok}, "")
		}, "0 recipients"},
		{"501 recipients", func(c *Client) channels.SendResult {
			return c.MulticastMessages(context.Background(), tooMany, []Message{ok}, "")
		}, "501 recipients"},
		{"empty multicast id", func(c *Client) channels.SendResult {
			return c.MulticastMessages(context.Background(), []string{"U1", ""}, []Message{ok}, "")
		}, "recipient 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLINE(t, nil)
			res := tc.send(f.client())
			if res.Outcome != channels.Permanent || res.Reason != channels.ReasonBadRequest || !strings.Contains(res.Detail, tc.want) {
				t.Errorf("result = %+v, want Permanent bad_request mentioning %q", res, tc.want)
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("%d requests reached LINE", n)
			}
		})
	}
}

func TestSendWithoutTokenPausesChannel(t *testing.T) {
	f := newFakeLINE(t, nil)
	c := New(Config{BaseURL: f.srv.URL})
	res := c.Push(context.Background(), "U1", []Message{must(NewText("hi"))}, "")
	if res.Outcome != channels.Permanent || res.Reason != channels.ReasonInvalidToken || !res.PauseChannel {
		t.Errorf("result = %+v", res)
	}
	if len(f.requests()) != 0 {
		t.Error("request sent without a token")
	}
}

func TestNewDefaults(t *testing.T) {
	c := New(Config{ChannelAccessToken: "x"})
	if c.base != DefaultBaseURL || c.http == nil || c.http.Timeout != DefaultTimeout {
		t.Errorf("defaults: base %q, http %+v", c.base, c.http)
	}
	hc := &http.Client{}
	if c := New(Config{BaseURL: "http://127.0.0.1:9/", HTTPClient: hc}); c.base != "http://127.0.0.1:9" || c.http != hc {
		t.Errorf("config not honoured: %q", c.base)
	}
}
