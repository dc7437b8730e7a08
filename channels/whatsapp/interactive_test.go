package whatsapp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"omnicast/channels"
	"omnicast/channels/cardtest"
)

func TestRenderCardMatchesSpec(t *testing.T) {
	s := whatsappSpec(t)
	for name, card := range map[string]channels.Card{
		"reply card":          cardtest.ReplyCard(),
		"quick reply of 3":    cardtest.QuickReply(3),
		"three reply buttons": withButtons(3),
	} {
		t.Run(name, func(t *testing.T) {
			if ps := FitCard(card); len(ps) > 0 {
				t.Fatalf("FitCard: %+v", ps)
			}
			m, err := RenderCard("886912345678", card, 7, channels.NewTapCoder(3))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(m)
			if err := validateBody(s, "/v23.0/106540352242922/messages", string(body)); err != nil {
				t.Errorf("%v\n%s", err, body)
			}
			last := m.Buttons[len(m.Buttons)-1]
			if tap, ok := channels.DecodeTap(last.ID); !ok || tap.BroadcastID != 3 || tap.ModuleID != 7 || tap.Button != len(m.Buttons)-1 {
				t.Errorf("button id %q decodes to %+v", last.ID, tap)
			}
		})
	}
	// The spec check must refuse a fourth button and an over-long title.
	for _, bad := range []InteractiveMessage{
		{To: "1", Body: "b", Buttons: []ReplyButton{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}},
		{To: "1", Body: "b", Buttons: []ReplyButton{{"a", strings.Repeat("t", 21)}}},
	} {
		body, _ := json.Marshal(bad)
		if validateBody(s, "/v23.0/106540352242922/messages", string(body)) == nil {
			t.Errorf("spec accepted %s", body)
		}
	}
}

func withButtons(n int) channels.Card {
	c := channels.Card{Kind: channels.CardButton, Text: "選一個"}
	for i := range n {
		c.Buttons = append(c.Buttons, channels.Button{Title: string(rune('A' + i)), Type: channels.ButtonReply, Payload: "P"})
	}
	return c
}

func TestFitCard(t *testing.T) {
	cases := []struct {
		name string
		card channels.Card
		want string
	}{
		{"reply card", cardtest.ReplyCard(), ""},
		{"URL button", cardtest.ButtonCard(), channels.ProblemURLButton},
		{"carousel", cardtest.Carousel(2), channels.ProblemCarousel},
		{"four buttons", withButtons(4), channels.ProblemButtonsCount},
		{"quick reply of 4", cardtest.QuickReply(4), channels.ProblemOptionsCount},
		{"repeated title", func() channels.Card { c := withButtons(2); c.Buttons[1].Title = "A"; return c }(), channels.ProblemButtonTitleRepeated},
		{"title 21", func() channels.Card { c := withButtons(1); c.Buttons[0].Title = strings.Repeat("a", 21); return c }(), channels.ProblemButtonTitleTooLong},
		{"body 1024", func() channels.Card { c := withButtons(1); c.Text = strings.Repeat("字", 1024); return c }(), ""},
		{"body 1025", func() channels.Card { c := withButtons(1); c.Text = strings.Repeat("字", 1025); return c }(), channels.ProblemCardTextTooLong},
	}
	for _, tc := range cases {
		ps := FitCard(tc.card)
		if tc.want == "" {
			if len(ps) > 0 {
				t.Errorf("%s: %+v, want none", tc.name, ps)
			}
			continue
		}
		found := false
		for _, p := range ps {
			found = found || p.Code == tc.want
		}
		if !found {
			t.Errorf("%s: %+v, want %s", tc.name, ps, tc.want)
		}
		if _, err := RenderCard("1", tc.card, 1, nil); err == nil {
			t.Errorf("%s: rendered a card that does not fit", tc.name)
		}
	}
}

func TestSendInteractive(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { io.WriteString(w, okSendReply) })
	m, err := RenderCard("886912345678", cardtest.ReplyCard(), 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := f.client().SendInteractive(context.Background(), m); res.Outcome != channels.Sent {
		t.Fatalf("%+v", res)
	}
	if n := f.validateAll(t); n != 1 {
		t.Errorf("%d requests", n)
	}
}
