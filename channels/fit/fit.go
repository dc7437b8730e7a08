// Package fit tells whether content or a bot module fits a channel kind,
// dispatching to the platform packages' own checks. It is what the bot
// builder, the composer and the API ask, so they can never disagree.
package fit

import (
	"omnicast/channels"
	"omnicast/channels/line"
	"omnicast/channels/messenger"
	"omnicast/channels/whatsapp"
)

// Content reports the problems of broadcast content on a channel of kind.
// WhatsApp broadcasts are templates (a module fits WhatsApp as the answer
// to a template button, see Card); Instagram takes no broadcasts.
func Content(kind string, c channels.Content) []channels.Problem {
	switch kind {
	case channels.KindLINE:
		return line.Fit(c)
	case channels.KindMessenger:
		return messenger.Fit(c)
	case channels.KindWhatsApp:
		if c.Template == nil || len(c.Parts) > 0 {
			return []channels.Problem{{Code: channels.ProblemTemplateOnly, Field: "parts"}}
		}
		return nil
	case channels.KindInstagram:
		return []channels.Problem{{Code: channels.ProblemInstagram}}
	}
	return []channels.Problem{{Code: channels.ProblemUnknownChannel}}
}

// Card reports the problems of a bot module on a channel of kind.
func Card(kind string, card channels.Card) []channels.Problem {
	switch kind {
	case channels.KindLINE:
		return line.FitCard(card)
	case channels.KindMessenger:
		return messenger.FitCard(card)
	case channels.KindWhatsApp:
		return whatsapp.FitCard(card)
	case channels.KindInstagram:
		return []channels.Problem{{Code: channels.ProblemInstagram}}
	}
	return []channels.Problem{{Code: channels.ProblemUnknownChannel}}
}

// Kinds lists the channel kinds a module is checked against, in display
// order (Instagram is left out: it never takes one).
func Kinds() []string {
	return []string{channels.KindMessenger, channels.KindLINE, channels.KindWhatsApp}
}

// Cards reports a module's problems on every kind of Kinds; a kind with
// no problems fits.
func Cards(card channels.Card) map[string][]channels.Problem {
	out := make(map[string][]channels.Problem, 3)
	for _, k := range Kinds() {
		out[k] = Card(k, card)
	}
	return out
}
