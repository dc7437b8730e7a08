package fit_test

import (
	"testing"

	"omnicast/channels"
	"omnicast/channels/cardtest"
	"omnicast/channels/fit"
)

func TestCardPerChannel(t *testing.T) {
	long := cardtest.ButtonCard()
	long.Text = "這段文字超過一百六十個字。" // padded below
	for len([]rune(long.Text)) <= 160 {
		long.Text += "字"
	}
	cases := []struct {
		name string
		card channels.Card
		fits map[string]bool
	}{
		{"button card with URL", cardtest.ButtonCard(), map[string]bool{"line": true, "messenger": true, "whatsapp": false}},
		{"reply card", cardtest.ReplyCard(), map[string]bool{"line": true, "messenger": true, "whatsapp": true}},
		{"button text 161 (LINE ≤ 160, Messenger ≤ 640)", long, map[string]bool{"line": false, "messenger": true, "whatsapp": false}},
		{"carousel", cardtest.Carousel(3), map[string]bool{"line": true, "messenger": true, "whatsapp": false}},
		{"quick reply of 3", cardtest.QuickReply(3), map[string]bool{"line": true, "messenger": true, "whatsapp": true}},
		{"quick reply of 13", cardtest.QuickReply(13), map[string]bool{"line": true, "messenger": true, "whatsapp": false}},
	}
	for _, tc := range cases {
		got := fit.Cards(tc.card)
		for kind, want := range tc.fits {
			if fits := len(got[kind]) == 0; fits != want {
				t.Errorf("%s on %s: fits = %v, want %v (%+v)", tc.name, kind, fits, want, got[kind])
			}
		}
		if ps := fit.Card(channels.KindInstagram, tc.card); len(ps) != 1 || ps[0].Code != channels.ProblemInstagram {
			t.Errorf("%s on Instagram: %+v", tc.name, ps)
		}
	}
}

func TestContentDispatch(t *testing.T) {
	c := cardtest.Contents()["carousel"]
	if ps := fit.Content(channels.KindLINE, c); len(ps) > 0 {
		t.Errorf("LINE: %+v", ps)
	}
	if ps := fit.Content(channels.KindMessenger, c); len(ps) > 0 {
		t.Errorf("Messenger: %+v", ps)
	}
	if ps := fit.Content(channels.KindWhatsApp, c); len(ps) != 1 || ps[0].Code != channels.ProblemTemplateOnly {
		t.Errorf("WhatsApp parts: %+v", ps)
	}
	if ps := fit.Content(channels.KindWhatsApp, channels.Content{Template: &channels.TemplateFill{Name: "x"}}); len(ps) > 0 {
		t.Errorf("WhatsApp template: %+v", ps)
	}
	if ps := fit.Content(channels.KindInstagram, c); len(ps) != 1 || ps[0].Code != channels.ProblemInstagram {
		t.Errorf("Instagram: %+v", ps)
	}
	if ps := fit.Content("telegram", c); len(ps) != 1 || ps[0].Code != channels.ProblemUnknownChannel {
		t.Errorf("unknown: %+v", ps)
	}
}
