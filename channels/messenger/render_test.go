package messenger_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"omnicast/channels"
	"omnicast/channels/cardtest"
	"omnicast/channels/messenger"
	"omnicast/channels/sim"
)

// Meta publishes no machine-readable spec for Messenger: the simulator's
// Send API checks the shapes and limits of CHANNELS.md, so every rendered
// payload kind goes through it.
func TestRenderEveryKindThroughSimulator(t *testing.T) {
	s := sim.New(sim.Config{ReceiptDelay: -1})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(s.Close)
	s.AddAccount(sim.Account{Kind: channels.KindMessenger, ExternalID: "104523456789012", AccessToken: "EAAG-page"})
	s.AddPerson("104523456789012", sim.Person{ID: "6045678901234567", Name: "王小美"})
	client := messenger.New(messenger.Config{BaseURL: srv.URL, PageAccessToken: "EAAG-page"})

	for name, content := range cardtest.Contents() {
		t.Run(name, func(t *testing.T) {
			if ps := messenger.Fit(content); len(ps) > 0 {
				t.Fatalf("Fit found problems in a sample: %+v", ps)
			}
			msgs, err := messenger.Render(content, "小美", channels.NewTapCoder(42))
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != len(content.Parts) {
				t.Fatalf("%d messages for %d parts", len(msgs), len(content.Parts))
			}
			for i, m := range msgs {
				res := client.SendMessage(context.Background(), "6045678901234567", m, messenger.SendOptions{})
				if res.Outcome != channels.Sent {
					body, _ := json.Marshal(m)
					t.Errorf("message %d refused: %+v\n%s", i, res, body)
				}
			}
		})
	}
	want := 0
	for _, c := range cardtest.Contents() {
		want += len(c.Parts)
	}
	if got := len(s.SentTo("6045678901234567")); got != want {
		t.Errorf("simulator recorded %d messages, want %d", got, want)
	}
}

// The simulator must refuse a broken shape, or the test above proves nothing.
func TestSimulatorRefusesBrokenTemplate(t *testing.T) {
	s := sim.New(sim.Config{ReceiptDelay: -1})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(s.Close)
	s.AddAccount(sim.Account{Kind: channels.KindMessenger, ExternalID: "1045", AccessToken: "tok"})
	s.AddPerson("1045", sim.Person{ID: "60456"})
	for _, msg := range []string{
		`{"attachment":{"type":"template","payload":{"template_type":"button","text":"x"}}}`,
		`{"attachment":{"type":"template","payload":{"template_type":"generic","elements":[{"title":"","buttons":[]}]}}}`,
		`{"text":"x","quick_replies":[{"content_type":"text","title":"` + strings.Repeat("a", 21) + `","payload":"p"}]}`,
	} {
		body := `{"recipient":{"id":"60456"},"messaging_type":"UPDATE","message":` + msg + `}`
		resp, err := http.Post(srv.URL+"/v23.0/me/messages?access_token=tok", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("simulator answered %d to %s", resp.StatusCode, msg)
		}
	}
}

func TestRenderShapes(t *testing.T) {
	c := channels.Content{Parts: []channels.Part{
		cardtest.Text("嗨 " + channels.NameParam),
		cardtest.Picture(1),
		cardtest.Card(9, cardtest.Carousel(2)),
	}}
	msgs, err := messenger.Render(c, "阿明", channels.NewTapCoder(5))
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Text != "嗨 阿明" {
		t.Errorf("text = %q", msgs[0].Text)
	}
	if a := msgs[1].Attachment; a.Type != messenger.AttachmentImage || !a.Payload.IsReusable || a.Payload.URL != cardtest.Image(1).URL {
		t.Errorf("image %+v", a)
	}
	els := msgs[2].Attachment.Payload.Elements
	if els[0].ImageURL == "" || els[0].Buttons[0].Type != messenger.ButtonWebURL {
		t.Errorf("element %+v", els[0])
	}
	tap, ok := channels.DecodeTap(els[1].Buttons[1].Payload)
	if !ok || tap != (channels.TapPayload{BroadcastID: 5, ModuleID: 9, Button: 3}) {
		t.Errorf("postback payload %q decodes to %+v", els[1].Buttons[1].Payload, tap)
	}

	qr, err := messenger.Render(channels.Content{Parts: []channels.Part{cardtest.Card(11, cardtest.QuickReply(3))}}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The quick replies attach to the card's text.
	if qr[0].Text != cardtest.QuickReply(3).Text || len(qr[0].QuickReplies) != 3 {
		t.Fatalf("quick reply %+v", qr[0])
	}
	if tap, ok := channels.DecodeTap(qr[0].QuickReplies[2].Payload); !ok || tap.Button != 2 || tap.ModuleID != 11 {
		t.Errorf("quick reply payload %+v", tap)
	}
}

func TestFitLimits(t *testing.T) {
	mod := func(c channels.Card) channels.Content {
		return channels.Content{Parts: []channels.Part{cardtest.Card(1, c)}}
	}
	with := func(c channels.Card, f func(*channels.Card)) channels.Card { f(&c); return c }
	cases := []struct {
		name             string
		content          channels.Content
		wantCode, wantAt string
	}{
		{"text 2000", channels.Content{Parts: []channels.Part{cardtest.Text(strings.Repeat("字", 2000))}}, "", ""},
		{"text 2001", channels.Content{Parts: []channels.Part{cardtest.Text(strings.Repeat("字", 2001))}}, channels.ProblemTextTooLong, "parts[0].text"},
		{"button text 640", mod(with(cardtest.ButtonCard(), func(c *channels.Card) { c.Text = strings.Repeat("a", 640) })), "", ""},
		{"button text 641", mod(with(cardtest.ButtonCard(), func(c *channels.Card) { c.Text = strings.Repeat("a", 641) })), channels.ProblemCardTextTooLong, "parts[0].card.text"},
		{"four buttons", mod(with(cardtest.ButtonCard(), func(c *channels.Card) { c.Buttons = append(c.Buttons, c.Buttons...) })), channels.ProblemButtonsCount, "parts[0].card.buttons"},
		{"button title 21", mod(with(cardtest.ButtonCard(), func(c *channels.Card) { c.Buttons[1].Title = strings.Repeat("a", 21) })), channels.ProblemButtonTitleTooLong, "parts[0].card.buttons[1].title"},
		{"generic 10", mod(cardtest.Carousel(10)), "", ""},
		{"generic 11", mod(cardtest.Carousel(11)), channels.ProblemCardsCount, "parts[0].card.cards"},
		{"element title 81", mod(with(cardtest.Carousel(2), func(c *channels.Card) { c.Cards[1].Title = strings.Repeat("a", 81) })), channels.ProblemCardTitleTooLong, "parts[0].card.cards[1].title"},
		{"element subtitle 81", mod(with(cardtest.Carousel(2), func(c *channels.Card) { c.Cards[1].Subtitle = strings.Repeat("a", 81) })), channels.ProblemSubtitleTooLong, "parts[0].card.cards[1].subtitle"},
		{"element subtitle empty fits", mod(with(cardtest.Carousel(2), func(c *channels.Card) { c.Cards[1].Subtitle = "" })), "", ""},
		{"carousel buttons may differ", mod(with(cardtest.Carousel(2), func(c *channels.Card) { c.Cards[1].Buttons = c.Cards[1].Buttons[:1] })), "", ""},
		{"quick replies 14", mod(cardtest.QuickReply(14)), channels.ProblemOptionsCount, "parts[0].card.options"},
		{"image 9 MB", channels.Content{Parts: []channels.Part{{Kind: channels.PartImage, Image: &channels.Image{URL: "https://x.example/a.png", ContentType: "image/png", Bytes: 9 << 20}}}},
			channels.ProblemImageTooLarge, "parts[0].image.bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := messenger.Fit(tc.content)
			if tc.wantCode == "" {
				if len(ps) > 0 {
					t.Fatalf("problems %+v, want none", ps)
				}
				return
			}
			for _, p := range ps {
				if p.Code == tc.wantCode && p.Field == tc.wantAt {
					return
				}
			}
			t.Errorf("problems %+v, want %s at %s", ps, tc.wantCode, tc.wantAt)
		})
	}
}
