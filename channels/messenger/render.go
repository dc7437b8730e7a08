package messenger

import (
	"fmt"

	"omnicast/channels"
)

// Render turns neutral content into Messenger messages for one person,
// one per part (each is its own Send API request, in order): the name
// parameter becomes name; a button card becomes a button template, a
// carousel a generic template, a quick reply a text carrying
// quick_replies; reply buttons and options carry the payload tap encodes
// (channels.NewTapCoder(0) when tap is nil). Every message is validated
// as Send would.
func Render(c channels.Content, name string, tap channels.TapCoder) ([]Message, error) {
	if len(c.Parts) == 0 || len(c.Parts) > channels.MaxParts {
		return nil, fmt.Errorf("messenger: render: %d parts, 1 to %d allowed", len(c.Parts), channels.MaxParts)
	}
	out := make([]Message, 0, len(c.Parts))
	for i, p := range c.Parts {
		m, err := renderPart(p, name, tap)
		if err != nil {
			return nil, fmt.Errorf("messenger: render part %d: %w", i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func renderPart(p channels.Part, name string, tap channels.TapCoder) (Message, error) {
	switch p.Kind {
	case channels.PartText:
		return Text(channels.FillName(p.Text, name))
	case channels.PartImage:
		if p.Image == nil {
			return Message{}, fmt.Errorf("%w: image part without an image", ErrInvalidMessage)
		}
		return Image(p.Image.URL)
	case channels.PartBotCard:
		if p.Card == nil {
			return Message{}, fmt.Errorf("%w: bot card part without its card", ErrInvalidMessage)
		}
		return renderCard(*p.Card, p.ModuleID, tap)
	}
	return Message{}, fmt.Errorf("%w: unknown part kind %q", ErrInvalidMessage, p.Kind)
}

func renderCard(card channels.Card, moduleID uint, tap channels.TapCoder) (Message, error) {
	targets := card.TapTargets()
	button := func(i int, b channels.Button) Button {
		if b.Type == channels.ButtonURL {
			return URLButton(b.Title, b.URL)
		}
		return PostbackButton(b.Title, tap.Code(moduleID, targets[i].Index))
	}
	switch card.Kind {
	case channels.CardButton:
		bs := make([]Button, len(card.Buttons))
		for i, b := range card.Buttons {
			bs[i] = button(i, b)
		}
		return ButtonTemplate(card.Text, bs...)
	case channels.CardCarousel:
		els := make([]Element, len(card.Cards))
		n := 0
		for i, cc := range card.Cards {
			el := Element{Title: cc.Title, Subtitle: cc.Subtitle}
			if cc.Image != nil {
				el.ImageURL = cc.Image.URL
			}
			for _, b := range cc.Buttons {
				el.Buttons = append(el.Buttons, button(n, b))
				n++
			}
			els[i] = el
		}
		return GenericTemplate(els...)
	case channels.CardQuickReply:
		text, err := Text(card.Text)
		if err != nil {
			return Message{}, err
		}
		qs := make([]QuickReply, len(card.Options))
		for i, o := range card.Options {
			qs[i] = TextQuickReply(o.Title, tap.Code(moduleID, targets[i].Index))
		}
		return text.WithQuickReplies(qs...)
	}
	return Message{}, fmt.Errorf("%w: unknown card kind %q", ErrInvalidMessage, card.Kind)
}
