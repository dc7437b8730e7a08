package whatsapp

import (
	"fmt"

	"omnicast/channels"
)

// Limits of an interactive reply-button message, the shape a bot module
// takes on WhatsApp (sent inside the 24-hour window opened by the tap on
// a template's quick-reply button).
const (
	MaxReplyButtons     = 3
	MaxReplyButtonTitle = 20
	MaxInteractiveBody  = 1024
)

// FitCard reports how a bot module breaks the interactive message limits:
// only reply buttons (no URL buttons), at most three with unique titles of
// ≤ 20 characters, a body of ≤ 1,024; a quick reply's options become the
// reply buttons; a carousel does not fit at all.
func FitCard(card channels.Card) []channels.Problem {
	var ch channels.Checker
	switch card.Kind {
	case channels.CardButton:
		ch.Text("text", card.Text, MaxInteractiveBody, channels.Runes, channels.ProblemTextEmpty, channels.ProblemCardTextTooLong)
		ch.Count("buttons", len(card.Buttons), 1, MaxReplyButtons, channels.ProblemButtonsCount)
		titles := make([]string, len(card.Buttons))
		for i, b := range card.Buttons {
			titles[i] = b.Title
			if b.Type != channels.ButtonReply {
				ch.Add(fmt.Sprintf("buttons[%d].type", i), channels.ProblemURLButton, 0, 0)
			}
		}
		fitTitles(&ch, "buttons", titles, channels.ProblemButtonTitleEmpty, channels.ProblemButtonTitleTooLong)
	case channels.CardQuickReply:
		ch.Text("text", card.Text, MaxInteractiveBody, channels.Runes, channels.ProblemTextEmpty, channels.ProblemCardTextTooLong)
		ch.Count("options", len(card.Options), 1, MaxReplyButtons, channels.ProblemOptionsCount)
		titles := make([]string, len(card.Options))
		for i, o := range card.Options {
			titles[i] = o.Title
		}
		fitTitles(&ch, "options", titles, channels.ProblemOptionTitleEmpty, channels.ProblemOptionTitleTooLong)
	case channels.CardCarousel:
		ch.Add("kind", channels.ProblemCarousel, 0, 0)
	default:
		ch.Add("kind", channels.ProblemCardKind, 0, 0)
	}
	return ch.Problems
}

func fitTitles(ch *channels.Checker, field string, titles []string, emptyCode, longCode string) {
	seen := map[string]bool{}
	for i, t := range titles {
		f := fmt.Sprintf("%s[%d].title", field, i)
		ch.Text(f, t, MaxReplyButtonTitle, channels.Runes, emptyCode, longCode)
		if t != "" && seen[t] {
			ch.Add(f, channels.ProblemButtonTitleRepeated, 0, 0)
		}
		seen[t] = true
	}
}
