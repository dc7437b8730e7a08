package channels

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the neutral content model of a broadcast: what staff
// compose, independent of any platform. The platform packages check it
// against their limits (Fit) and render it to their own payloads; models
// stores it as JSON.

// NameParam is the contact-name parameter as stored in texts. It is the
// only parameter: at send time it becomes the person's name.
const NameParam = "{{name}}"

// Part kinds: the messages of a Messenger or LINE broadcast.
const (
	PartText    = "text"
	PartImage   = "image"
	PartBotCard = "bot_card"
)

// Card kinds: the bot modules of the bot builder.
const (
	CardButton     = "button_card"
	CardCarousel   = "carousel"
	CardQuickReply = "quick_reply"
)

// Button types.
const (
	ButtonURL   = "url"
	ButtonReply = "reply"
)

// MaxParts is the most messages a broadcast may hold.
const MaxParts = 5

// Content is what one broadcast says: 1–5 parts (Messenger, LINE), or a
// filled WhatsApp template.
type Content struct {
	Parts    []Part        `json:"parts,omitempty"`
	Template *TemplateFill `json:"template,omitempty"`
}

// Part is one message bubble.
type Part struct {
	Kind  string `json:"kind"`
	Text  string `json:"text,omitempty"`  // PartText; may hold NameParam
	Image *Image `json:"image,omitempty"` // PartImage
	Card  *Card  `json:"card,omitempty"`  // PartBotCard, resolved from its module
	// ModuleID is the bot module a card came from, for tap payloads.
	ModuleID uint `json:"module_id,omitempty"`
}

// Image is an uploaded picture as the platforms fetch it.
type Image struct {
	URL         string `json:"url"`
	PreviewURL  string `json:"preview_url,omitempty"` // LINE's preview (≤ 1 MB JPEG)
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Bytes       int64  `json:"bytes"`
}

// Card is a bot module: a button card, a carousel or a quick reply.
type Card struct {
	Kind    string         `json:"kind"`
	Text    string         `json:"text,omitempty"`    // button card, quick reply
	Buttons []Button       `json:"buttons,omitempty"` // button card
	Cards   []CarouselCard `json:"cards,omitempty"`   // carousel
	Options []Option       `json:"options,omitempty"` // quick reply
}

// CarouselCard is one card of a carousel.
type CarouselCard struct {
	Image    *Image   `json:"image,omitempty"`
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle,omitempty"`
	Buttons  []Button `json:"buttons"`
}

// Button opens a URL or sends a reply payload back.
type Button struct {
	Title   string `json:"title"`
	Type    string `json:"type"` // ButtonURL | ButtonReply
	URL     string `json:"url,omitempty"`
	Payload string `json:"payload,omitempty"`
}

// Option is one quick-reply choice.
type Option struct {
	Title   string `json:"title"`
	Payload string `json:"payload,omitempty"`
}

// Personalised tells whether any text of the content holds the name
// parameter: then every person gets their own copy (on LINE, one push per
// person instead of a multicast).
func (c Content) Personalised() bool {
	for _, p := range c.Parts {
		if strings.Contains(p.Text, NameParam) {
			return true
		}
	}
	if c.Template != nil {
		for _, p := range append(append([]TemplateParam{}, c.Template.Header...), c.Template.Body...) {
			if p.ContactName {
				return true
			}
		}
	}
	return false
}

// Texts returns every piece of text a person would read (texts, card
// texts, titles, subtitles, button and option titles, URLs), for checks
// such as the promotional-content rules.
func (c Content) Texts() []string {
	var out []string
	for _, p := range c.Parts {
		if p.Text != "" {
			out = append(out, p.Text)
		}
		if p.Card != nil {
			out = append(out, p.Card.Texts()...)
		}
	}
	return out
}

// Texts returns the card's text, titles, subtitles and button URLs.
func (c Card) Texts() []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	add(c.Text)
	buttons := append([]Button{}, c.Buttons...)
	for _, cc := range c.Cards {
		add(cc.Title)
		add(cc.Subtitle)
		buttons = append(buttons, cc.Buttons...)
	}
	for _, b := range buttons {
		add(b.Title)
		add(b.URL)
	}
	for _, o := range c.Options {
		add(o.Title)
	}
	return out
}

// FillName replaces the name parameter in s.
func FillName(s, name string) string { return strings.ReplaceAll(s, NameParam, name) }

// TemplateFill is a WhatsApp template with its parameters chosen.
type TemplateFill struct {
	Name     string          `json:"name"`
	Language string          `json:"language"`
	Header   []TemplateParam `json:"header,omitempty"`
	Body     []TemplateParam `json:"body,omitempty"`
	// Buttons holds one action per quick-reply button, in the template's order.
	Buttons []ButtonAction `json:"buttons,omitempty"`
}

// TemplateParam fills one {{n}} (or named) parameter: fixed text or the
// contact's name.
type TemplateParam struct {
	Name        string `json:"name,omitempty"` // named parameters ({{first_name}})
	Text        string `json:"text,omitempty"`
	ContactName bool   `json:"contact_name,omitempty"`
}

// Actions of a WhatsApp quick-reply button.
const (
	ActionNone        = "none"
	ActionBot         = "bot"
	ActionSubscribe   = "subscribe"
	ActionUnsubscribe = "unsubscribe"
)

// ButtonAction is what a tap on one quick-reply button does.
type ButtonAction struct {
	Action   string `json:"action"`
	ModuleID uint   `json:"bot_module_id,omitempty"` // ActionBot
}

// Problem is one way content does not fit a platform: a stable code (the
// web layer words it in the user's language as "fit.<code>"), where it
// is, and the limit it breaks.
type Problem struct {
	Code  string `json:"code"`
	Field string `json:"field"` // e.g. "parts[1].card.buttons[0].title"
	Limit int    `json:"limit,omitempty"`
	Got   int    `json:"got,omitempty"`
}

// Runes counts characters as Meta does (code points).
func Runes(s string) int { return utf8.RuneCountInString(s) }

// UTF16Len counts characters as LINE does (UTF-16 code units: an emoji
// outside the BMP counts twice).
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
