package line

import (
	"fmt"

	"omnicast/channels"
)

// LINE's limits on broadcast content, as Fit checks them (the builders
// check the same limits on the wire shapes).
const (
	maxImageBytes   = 10 << 20 // originalContentUrl and thumbnails
	maxPreviewBytes = 1 << 20  // previewImageUrl
	// maxModuleButtons is the module's own limit (the bot builder allows
	// three); LINE's buttons template would take four.
	maxModuleButtons = 3
)

// Fit reports every way content breaks LINE's limits, with field paths
// from the content's root ("parts[0].card.buttons[1].title"). Texts are
// counted in UTF-16 units with the name parameter as typed: a long name
// can still push a text near the limit over it, which the send reports.
func Fit(c channels.Content) []channels.Problem {
	var ch channels.Checker
	if c.Template != nil {
		ch.Add("template", channels.ProblemPartKind, 0, 0)
	}
	ch.Count("parts", len(c.Parts), 1, MaxMessagesPerRequest, partsCode(len(c.Parts)))
	for i, p := range c.Parts {
		field := fmt.Sprintf("parts[%d]", i)
		switch p.Kind {
		case channels.PartText:
			ch.Text(field+".text", p.Text, maxTextMessage, channels.UTF16Len, channels.ProblemTextEmpty, channels.ProblemTextTooLong)
		case channels.PartImage:
			fitImage(&ch, field+".image", p.Image, true)
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

func partsCode(n int) string {
	if n == 0 {
		return channels.ProblemNoParts
	}
	return channels.ProblemTooManyParts
}

// FitCard reports how a bot module breaks LINE's template and quick reply
// limits, with fields relative to the card.
func FitCard(card channels.Card) []channels.Problem {
	var ch channels.Checker
	switch card.Kind {
	case channels.CardButton:
		// No title and no image in a button card: the 160-unit limit.
		ch.Text("text", card.Text, maxButtonsText, channels.UTF16Len, channels.ProblemTextEmpty, channels.ProblemCardTextTooLong)
		fitButtons(&ch, "buttons", card.Buttons)
	case channels.CardCarousel:
		fitCarousel(&ch, card.Cards)
	case channels.CardQuickReply:
		// A quick reply rides on a text message.
		ch.Text("text", card.Text, maxTextMessage, channels.UTF16Len, channels.ProblemTextEmpty, channels.ProblemCardTextTooLong)
		ch.Count("options", len(card.Options), 1, maxQuickReplyItems, channels.ProblemOptionsCount)
		for i, o := range card.Options {
			ch.Text(fmt.Sprintf("options[%d].title", i), o.Title, maxActionLabel, channels.UTF16Len,
				channels.ProblemOptionTitleEmpty, channels.ProblemOptionTitleTooLong)
		}
	default:
		ch.Add("kind", channels.ProblemCardKind, 0, 0)
	}
	return ch.Problems
}

// fitCarousel checks the columns: LINE shows the card's title as the
// column title (≤ 40) and its subtitle as the column text, which is
// required and, with a title, ≤ 60; every column has the same number of
// actions, and an image in one means an image in all.
func fitCarousel(ch *channels.Checker, cards []channels.CarouselCard) {
	ch.Count("cards", len(cards), 1, maxCarouselColumns, channels.ProblemCardsCount)
	for i, cc := range cards {
		field := fmt.Sprintf("cards[%d]", i)
		ch.Text(field+".title", cc.Title, maxTemplateTitle, channels.UTF16Len, channels.ProblemCardTitleEmpty, channels.ProblemCardTitleTooLong)
		ch.Text(field+".subtitle", cc.Subtitle, maxTextWithImageTitle, channels.UTF16Len, channels.ProblemSubtitleRequired, channels.ProblemSubtitleTooLong)
		if cc.Image != nil {
			fitImage(ch, field+".image", cc.Image, false)
		}
		fitButtons(ch, field+".buttons", cc.Buttons)
		if i == 0 {
			continue
		}
		if len(cc.Buttons) != len(cards[0].Buttons) {
			ch.Add(field+".buttons", channels.ProblemCarouselActions, len(cards[0].Buttons), len(cc.Buttons))
		}
		if (cc.Image == nil) != (cards[0].Image == nil) {
			ch.Add(field+".image", channels.ProblemCarouselImages, 0, 0)
		}
	}
}

func fitButtons(ch *channels.Checker, field string, buttons []channels.Button) {
	ch.Count(field, len(buttons), 1, maxModuleButtons, channels.ProblemButtonsCount)
	for i, b := range buttons {
		f := fmt.Sprintf("%s[%d]", field, i)
		ch.Text(f+".title", b.Title, maxActionLabel, channels.UTF16Len, channels.ProblemButtonTitleEmpty, channels.ProblemButtonTitleTooLong)
		switch b.Type {
		case channels.ButtonURL:
			ch.WebURL(f+".url", b.URL, channels.ProblemButtonURL)
		case channels.ButtonReply:
		default:
			ch.Add(f+".type", channels.ProblemButtonType, 0, 0)
		}
	}
}

// fitImage checks a picture: JPEG or PNG, ≤ 10 MB; an image message also
// needs a preview ≤ 1 MB (the picture itself serves when it is that small).
func fitImage(ch *channels.Checker, field string, img *channels.Image, message bool) {
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
	if message {
		if img.PreviewURL != "" {
			ch.WebURL(field+".preview_url", img.PreviewURL, channels.ProblemImageURL)
		} else if img.Bytes > maxPreviewBytes {
			ch.Add(field+".preview_url", channels.ProblemPreviewTooLarge, maxPreviewBytes, int(img.Bytes))
		}
	}
}
