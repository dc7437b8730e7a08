package line

import (
	"fmt"
	"strings"

	"omnicast/channels"
)

// Render turns neutral content into LINE messages for one person: the
// name parameter becomes name, every part one bubble (a bot card: a
// buttons or carousel template, or a text carrying the quick reply), and
// every reply button or option a postback whose data tap encodes
// (channels.NewTapCoder(0) when tap is nil). Each message is checked by
// the builders, so what Render returns Push accepts. Call Fit first to
// show staff the problems in words; Render only says the first one.
func Render(c channels.Content, name string, tap channels.TapCoder) ([]Message, error) {
	if len(c.Parts) == 0 || len(c.Parts) > MaxMessagesPerRequest {
		return nil, fmt.Errorf("line: render: %d parts, 1 to %d allowed", len(c.Parts), MaxMessagesPerRequest)
	}
	out := make([]Message, 0, len(c.Parts))
	for i, p := range c.Parts {
		m, err := renderPart(p, name, tap)
		if err != nil {
			return nil, fmt.Errorf("line: render part %d: %w", i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func renderPart(p channels.Part, name string, tap channels.TapCoder) (Message, error) {
	switch p.Kind {
	case channels.PartText:
		return NewText(channels.FillName(p.Text, name))
	case channels.PartImage:
		if p.Image == nil {
			return nil, fmt.Errorf("image part without an image")
		}
		preview := p.Image.PreviewURL
		if preview == "" {
			preview = p.Image.URL // small pictures are their own preview (Fit checks the size)
		}
		return NewImage(p.Image.URL, preview)
	case channels.PartBotCard:
		if p.Card == nil {
			return nil, fmt.Errorf("bot card part without its card")
		}
		return renderCard(*p.Card, p.ModuleID, tap)
	}
	return nil, fmt.Errorf("unknown part kind %q", p.Kind)
}

func renderCard(card channels.Card, moduleID uint, tap channels.TapCoder) (Message, error) {
	targets := card.TapTargets()
	action := func(i int, b channels.Button) Action {
		if b.Type == channels.ButtonURL {
			return URIAction{Label: b.Title, URI: b.URL}
		}
		// displayText shows the choice in the chat, as if typed.
		return PostbackAction{Label: b.Title, Data: tap.Code(moduleID, targets[i].Index), DisplayText: b.Title}
	}
	switch card.Kind {
	case channels.CardButton:
		acts := make([]Action, len(card.Buttons))
		for i, b := range card.Buttons {
			acts[i] = action(i, b)
		}
		return NewButtons(altText(card.Text), ButtonsTemplate{Text: card.Text, Actions: acts})
	case channels.CardCarousel:
		cols := make([]CarouselColumn, len(card.Cards))
		titles := make([]string, len(card.Cards))
		n := 0
		for i, cc := range card.Cards {
			col := CarouselColumn{Title: cc.Title, Text: cc.Subtitle}
			if cc.Image != nil {
				col.ThumbnailImageURL = cc.Image.URL
			}
			for _, b := range cc.Buttons {
				col.Actions = append(col.Actions, action(n, b))
				n++
			}
			cols[i], titles[i] = col, cc.Title
		}
		return NewCarousel(altText(strings.Join(titles, " / ")), CarouselTemplate{Columns: cols})
	case channels.CardQuickReply:
		text, err := NewText(card.Text)
		if err != nil {
			return nil, err
		}
		items := make([]QuickReplyItem, len(card.Options))
		for i, o := range card.Options {
			items[i] = QuickReplyItem{Action: PostbackAction{Label: o.Title, Data: tap.Code(moduleID, targets[i].Index), DisplayText: o.Title}}
		}
		return WithQuickReply(text, items...)
	}
	return nil, fmt.Errorf("unknown card kind %q", card.Kind)
}

// altText is what notifications and template-less clients show: the
// card's text, cut to LINE's 400 UTF-16 units on a character boundary.
func altText(s string) string {
	if s == "" {
		return "…"
	}
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > maxAltText-1 {
			return s[:i] + "…"
		}
		n += w
	}
	return s
}
