package channels

import (
	"strconv"
	"strings"
)

// A tap payload is what a rendered reply button or quick-reply option sends
// back through the webhook (LINE postback data, Messenger postback or
// quick_reply payload, WhatsApp button payload). It names the broadcast,
// the bot module and the button, so a tap is recorded against what it
// answers without any lookup table. The staff's own payload stays in the
// module: platforms only ever see ours.
//
// Wire form: "oc1:b<broadcast>:m<module>:k<button>" with an optional
// ":a<action>" (WhatsApp template buttons: subscribe, unsubscribe, bot).
// It is at most ~60 bytes, well under LINE's 300 and Meta's 1,000.

// tapPrefix versions the format, so a later change can still read old taps.
const tapPrefix = "oc1"

// TapPayload identifies one tap target.
type TapPayload struct {
	BroadcastID uint   // 0 for test sends and previews
	ModuleID    uint   // 0 for WhatsApp template buttons without a module
	Button      int    // the button's index in the module (see Card.TapTargets)
	Action      string // "" or one of the Action* constants
}

// EncodeTap returns the payload string of p.
func EncodeTap(p TapPayload) string {
	var b strings.Builder
	b.WriteString(tapPrefix)
	b.WriteString(":b")
	b.WriteString(strconv.FormatUint(uint64(p.BroadcastID), 10))
	b.WriteString(":m")
	b.WriteString(strconv.FormatUint(uint64(p.ModuleID), 10))
	b.WriteString(":k")
	b.WriteString(strconv.Itoa(p.Button))
	if p.Action != "" {
		b.WriteString(":a")
		b.WriteString(p.Action)
	}
	return b.String()
}

// DecodeTap parses a payload made by EncodeTap. ok is false for anything
// else (a staff member's own payload, a person's typed text, a tampered
// value): such payloads are simply not taps of ours.
func DecodeTap(s string) (p TapPayload, ok bool) {
	fields := strings.Split(s, ":")
	if len(fields) < 4 || len(fields) > 5 || fields[0] != tapPrefix {
		return TapPayload{}, false
	}
	b, ok1 := tapNumber(fields[1], 'b')
	m, ok2 := tapNumber(fields[2], 'm')
	k, ok3 := tapNumber(fields[3], 'k')
	if !ok1 || !ok2 || !ok3 || k > maxTapButton {
		return TapPayload{}, false
	}
	p = TapPayload{BroadcastID: uint(b), ModuleID: uint(m), Button: int(k)}
	if len(fields) == 5 {
		a, found := strings.CutPrefix(fields[4], "a")
		if !found || !knownAction(a) {
			return TapPayload{}, false
		}
		p.Action = a
	}
	return p, true
}

// maxTapButton bounds the button index: a carousel has at most 10 cards
// of 3 buttons, a quick reply 13 options.
const maxTapButton = 99

// tapNumber reads "<tag><decimal>" with no sign, no leading zeros (so one
// tap has one spelling) and at most 10 digits (fits a uint32 id).
func tapNumber(f string, tag byte) (uint64, bool) {
	if len(f) < 2 || f[0] != tag || len(f) > 11 || (len(f) > 2 && f[1] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(f[1:], 10, 32)
	if err != nil {
		return 0, false
	}
	return n, true
}

func knownAction(a string) bool {
	switch a {
	case ActionNone, ActionBot, ActionSubscribe, ActionUnsubscribe:
		return true
	}
	return false
}

// TapCoder gives the payload of the button at index button of module
// moduleID. Renderers call it for every reply button and option; nil
// means "not part of a broadcast" (preview, test send): NewTapCoder(0).
type TapCoder func(moduleID uint, button int) string

// NewTapCoder returns the TapCoder of broadcast broadcastID (0 for test
// sends, which are never counted).
func NewTapCoder(broadcastID uint) TapCoder {
	return func(moduleID uint, button int) string {
		return EncodeTap(TapPayload{BroadcastID: broadcastID, ModuleID: moduleID, Button: button})
	}
}

// Code returns the payload for a button, using NewTapCoder(0) when t is nil.
func (t TapCoder) Code(moduleID uint, button int) string {
	if t == nil {
		t = NewTapCoder(0)
	}
	return t(moduleID, button)
}

// TapTarget is one button of a module in tap order.
type TapTarget struct {
	Index int    // the Button of its TapPayload
	Title string // the label people see
	Type  string // ButtonURL | ButtonReply (options are replies)
	Card  int    // carousel card index, 0 otherwise
}

// TapTargets lists the module's buttons in tap order: a button card's
// buttons, a carousel's buttons card after card, a quick reply's options.
// URL buttons keep their index (so indexes do not move when a button's
// type changes) although their taps never come back as postbacks.
func (c Card) TapTargets() []TapTarget {
	var out []TapTarget
	add := func(card int, title, typ string) {
		out = append(out, TapTarget{Index: len(out), Title: title, Type: typ, Card: card})
	}
	switch c.Kind {
	case CardButton:
		for _, b := range c.Buttons {
			add(0, b.Title, b.Type)
		}
	case CardCarousel:
		for i, cc := range c.Cards {
			for _, b := range cc.Buttons {
				add(i, b.Title, b.Type)
			}
		}
	case CardQuickReply:
		for _, o := range c.Options {
			add(0, o.Title, ButtonReply)
		}
	}
	return out
}
