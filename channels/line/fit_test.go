package line

import (
	"strings"
	"testing"

	"omnicast/channels"
	"omnicast/channels/cardtest"
)

func TestFitLimits(t *testing.T) {
	emoji := "😀"
	card := func(f func(*channels.Card)) channels.Content {
		c := cardtest.ButtonCard()
		f(&c)
		return channels.Content{Parts: []channels.Part{cardtest.Card(1, c)}}
	}
	carousel := func(f func(*channels.Card)) channels.Content {
		c := cardtest.Carousel(3)
		f(&c)
		return channels.Content{Parts: []channels.Part{cardtest.Card(1, c)}}
	}
	qr := func(f func(*channels.Card)) channels.Content {
		c := cardtest.QuickReply(3)
		f(&c)
		return channels.Content{Parts: []channels.Part{cardtest.Card(1, c)}}
	}
	text := func(s string) channels.Content { return channels.Content{Parts: []channels.Part{cardtest.Text(s)}} }
	image := func(f func(*channels.Image)) channels.Content {
		p := cardtest.Picture(1)
		f(p.Image)
		return channels.Content{Parts: []channels.Part{p}}
	}
	cases := []struct {
		name      string
		content   channels.Content
		wantCode  string // "" = fits
		wantField string
	}{
		{"text 5000 units", text(strings.Repeat("a", 5000)), "", ""},
		{"text 5001 units", text(strings.Repeat("a", 5001)), channels.ProblemTextTooLong, "parts[0].text"},
		{"text 2501 emoji = 5002 units", text(strings.Repeat(emoji, 2501)), channels.ProblemTextTooLong, "parts[0].text"},
		{"text empty", text(""), channels.ProblemTextEmpty, "parts[0].text"},
		{"no parts", channels.Content{}, channels.ProblemNoParts, "parts"},
		{"six parts", channels.Content{Parts: []channels.Part{cardtest.Text("1"), cardtest.Text("2"), cardtest.Text("3"),
			cardtest.Text("4"), cardtest.Text("5"), cardtest.Text("6")}}, channels.ProblemTooManyParts, "parts"},
		{"image gif", image(func(i *channels.Image) { i.ContentType = "image/gif" }), channels.ProblemImageType, "parts[0].image.content_type"},
		{"image 10 MB", image(func(i *channels.Image) { i.Bytes = 10 << 20 }), "", ""},
		{"image over 10 MB", image(func(i *channels.Image) { i.Bytes = 10<<20 + 1 }), channels.ProblemImageTooLarge, "parts[0].image.bytes"},
		{"image 2 MB without preview", image(func(i *channels.Image) { i.PreviewURL, i.Bytes = "", 2<<20 }), channels.ProblemPreviewTooLarge, "parts[0].image.preview_url"},
		{"image 1 MB without preview", image(func(i *channels.Image) { i.PreviewURL, i.Bytes = "", 1<<20 }), "", ""},
		{"button text 160", card(func(c *channels.Card) { c.Text = strings.Repeat("字", 160) }), "", ""},
		{"button text 161", card(func(c *channels.Card) { c.Text = strings.Repeat("字", 161) }), channels.ProblemCardTextTooLong, "parts[0].card.text"},
		{"button text 81 emoji", card(func(c *channels.Card) { c.Text = strings.Repeat(emoji, 81) }), channels.ProblemCardTextTooLong, "parts[0].card.text"},
		{"button label 21", card(func(c *channels.Card) { c.Buttons[0].Title = strings.Repeat("a", 21) }), channels.ProblemButtonTitleTooLong, "parts[0].card.buttons[0].title"},
		{"four buttons", card(func(c *channels.Card) { c.Buttons = append(c.Buttons, c.Buttons...) }), channels.ProblemButtonsCount, "parts[0].card.buttons"},
		{"no buttons", card(func(c *channels.Card) { c.Buttons = nil }), channels.ProblemButtonsCount, "parts[0].card.buttons"},
		{"ftp url", card(func(c *channels.Card) { c.Buttons[0].URL = "ftp://x.example/a" }), channels.ProblemButtonURL, "parts[0].card.buttons[0].url"},
		{"carousel 10", carousel(func(c *channels.Card) { *c = cardtest.Carousel(10) }), "", ""},
		{"carousel 11", carousel(func(c *channels.Card) { *c = cardtest.Carousel(11) }), channels.ProblemCardsCount, "parts[0].card.cards"},
		{"carousel buttons differ", carousel(func(c *channels.Card) { c.Cards[2].Buttons = c.Cards[2].Buttons[:1] }),
			channels.ProblemCarouselActions, "parts[0].card.cards[2].buttons"},
		{"carousel image missing in one", carousel(func(c *channels.Card) { c.Cards[1].Image = nil }),
			channels.ProblemCarouselImages, "parts[0].card.cards[1].image"},
		{"carousel title 41", carousel(func(c *channels.Card) { c.Cards[0].Title = strings.Repeat("a", 41) }),
			channels.ProblemCardTitleTooLong, "parts[0].card.cards[0].title"},
		{"carousel subtitle 61 (with title)", carousel(func(c *channels.Card) { c.Cards[0].Subtitle = strings.Repeat("a", 61) }),
			channels.ProblemSubtitleTooLong, "parts[0].card.cards[0].subtitle"},
		{"carousel subtitle empty", carousel(func(c *channels.Card) { c.Cards[0].Subtitle = "" }),
			channels.ProblemSubtitleRequired, "parts[0].card.cards[0].subtitle"},
		{"quick reply 13", qr(func(c *channels.Card) { *c = cardtest.QuickReply(13) }), "", ""},
		{"quick reply 14", qr(func(c *channels.Card) { *c = cardtest.QuickReply(14) }), channels.ProblemOptionsCount, "parts[0].card.options"},
		{"quick reply label 21", qr(func(c *channels.Card) { c.Options[2].Title = strings.Repeat("a", 21) }),
			channels.ProblemOptionTitleTooLong, "parts[0].card.options[2].title"},
		{"quick reply no text", qr(func(c *channels.Card) { c.Text = "" }), channels.ProblemTextEmpty, "parts[0].card.text"},
		{"unknown card kind", card(func(c *channels.Card) { c.Kind = "flex" }), channels.ProblemCardKind, "parts[0].card.kind"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := Fit(tc.content)
			if tc.wantCode == "" {
				if len(ps) > 0 {
					t.Fatalf("problems %+v, want none", ps)
				}
				return
			}
			for _, p := range ps {
				if p.Code == tc.wantCode && p.Field == tc.wantField {
					return
				}
			}
			t.Errorf("problems %+v, want %s at %s", ps, tc.wantCode, tc.wantField)
		})
	}
}

// What Fit accepts, Render renders: a fitting module never fails at send.
func TestFitAgreesWithBuilders(t *testing.T) {
	for n := 1; n <= 10; n++ {
		c := channels.Content{Parts: []channels.Part{cardtest.Card(1, cardtest.Carousel(n))}}
		c.Parts[0].Card.Cards[0].Subtitle = strings.Repeat("字", 60)
		if ps := Fit(c); len(ps) > 0 {
			t.Fatalf("%d cards: %+v", n, ps)
		}
		if _, err := Render(c, "", nil); err != nil {
			t.Fatalf("%d cards fit but do not render: %v", n, err)
		}
	}
}
