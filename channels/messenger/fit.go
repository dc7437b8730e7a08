package messenger

import (
	"fmt"

	"omnicast/channels"
)

// maxImageBytes is the largest picture Meta fetches by URL.
const maxImageBytes = 8 << 20

// Fit reports every way content breaks Messenger's limits, with field
// paths from the content's root. Characters are code points, as Meta
// counts them. Each part goes out as its own Send API request, so five
// parts are five requests.
func Fit(c channels.Content) []channels.Problem {
	var ch channels.Checker
	if c.Template != nil {
		ch.Add("template", channels.ProblemPartKind, 0, 0)
	}
	n := len(c.Parts)
	code := channels.ProblemTooManyParts
	if n == 0 {
		code = channels.ProblemNoParts
	}
	ch.Count("parts", n, 1, channels.MaxParts, code)
	for i, p := range c.Parts {
		field := fmt.Sprintf("parts[%d]", i)
		switch p.Kind {
		case channels.PartText:
			ch.Text(field+".text", p.Text, MaxTextChars, channels.Runes, channels.ProblemTextEmpty, channels.ProblemTextTooLong)
		case channels.PartImage:
			fitImage(&ch, field+".image", p.Image)
		case channels.PartBotCard:
			if p.Card == nil {
				ch.Add(field+".card", channels.ProblemCardKind, 0, 0)
				continue
			}
			ch.Problems = append(ch.Problems, channels.Prefixed(field+".card", FitCard(*p.Card))...)
		default:
			ch.Add(field, channels.ProblemPartKind, 0, 0)
		}
	}
	return ch.Problems
}

// FitCard reports how a bot module breaks the button template, generic
// template or quick reply limits, with fields relative to the card.
func FitCard(card channels.Card) []channels.Problem {
	var ch channels.Checker
	switch card.Kind {
	case channels.CardButton:
		ch.Text("text", card.Text, MaxButtonTemplateText, channels.Runes, channels.ProblemTextEmpty, channels.ProblemCardTextTooLong)
		fitButtons(&ch, "buttons", card.Buttons)
	case channels.CardCarousel:
		ch.Count("cards", len(card.Cards), 1, MaxElements, channels.ProblemCardsCount)
		for i, cc := range card.Cards {
			field := fmt.Sprintf("cards[%d]", i)
			ch.Text(field+".title", cc.Title, MaxElementTitle, channels.Runes, channels.ProblemCardTitleEmpty, channels.ProblemCardTitleTooLong)
			ch.Text(field+".subtitle", cc.Subtitle, MaxElementSubtitle, channels.Runes, "", channels.ProblemSubtitleTooLong)
			if cc.Image != nil {
				fitImage(&ch, field+".image", cc.Image)
			}
			fitButtons(&ch, field+".buttons", cc.Buttons)
		}
	case channels.CardQuickReply:
		// Quick replies ride on a text message.
		ch.Text("text", card.Text, MaxTextChars, channels.Runes, channels.ProblemTextEmpty, channels.ProblemCardTextTooLong)
		ch.Count("options", len(card.Options), 1, MaxQuickReplies, channels.ProblemOptionsCount)
		for i, o := range card.Options {
			ch.Text(fmt.Sprintf("options[%d].title", i), o.Title, MaxQuickReplyTitle, channels.Runes,
				channels.ProblemOptionTitleEmpty, channels.ProblemOptionTitleTooLong)
		}
	default:
		ch.Add("kind", channels.ProblemCardKind, 0, 0)
	}
	return ch.Problems
}

func fitButtons(ch *channels.Checker, field string, buttons []channels.Button) {
	ch.Count(field, len(buttons), 1, MaxButtons, channels.ProblemButtonsCount)
	for i, b := range buttons {
		f := fmt.Sprintf("%s[%d]", field, i)
		ch.Text(f+".title", b.Title, MaxButtonTitle, channels.Runes, channels.ProblemButtonTitleEmpty, channels.ProblemButtonTitleTooLong)
		switch b.Type {
		case channels.ButtonURL:
			ch.WebURL(f+".url", b.URL, channels.ProblemButtonURL)
		case channels.ButtonReply:
		default:
			ch.Add(f+".type", channels.ProblemButtonType, 0, 0)
		}
	}
}

func fitImage(ch *channels.Checker, field string, img *channels.Image) {
	if img == nil {
		ch.Add(field, channels.ProblemImageMissing, 0, 0)
		return
	}
	ch.WebURL(field+".url", img.URL, channels.ProblemImageURL)
	if !channels.IsImageType(img.ContentType) {
		ch.Add(field+".content_type", channels.ProblemImageType, 0, 0)
	}
	if img.Bytes > maxImageBytes {
		ch.Add(field+".bytes", channels.ProblemImageTooLarge, maxImageBytes, int(img.Bytes))
	}
}
