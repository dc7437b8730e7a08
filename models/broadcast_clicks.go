package models

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/whatsapp"
)

// Where a counted button lives.
const (
	ClickBotCard  = "bot_card" // a reply button or quick-reply option of a bot card (Messenger, LINE)
	ClickTemplate = "template" // a quick-reply button of a WhatsApp template
)

// ButtonClicks is one button of a broadcast that reports its taps, with
// how many people tapped it and how often.
type ButtonClicks struct {
	// Key is stable for the broadcast: "<module>:<button>", the value the
	// cohort form takes after "button:".
	Key    string
	Source string // ClickBotCard | ClickTemplate
	// ModuleID is the card's bot module, or the module a template button
	// replies with (ActionBot); 0 for other template buttons.
	ModuleID uint
	// ModuleName is the module's current name; "" once it is deleted.
	ModuleName string
	Button     int    // the tap payload's button index
	Label      string // as the person saw it; "" when no longer known
	Action     string // template buttons: channels.Action*
	People     int64  // distinct people who tapped it
	Taps       int64  // every tap, repeats included
}

// BroadcastButtonClicks lists the buttons of what broadcast b sent, in
// message order, with their taps: bot-card reply buttons with the label
// frozen when sending started, and WhatsApp template quick-reply buttons
// that carry an action, labelled from the synced template. Link buttons
// and template buttons without an action are left out: their taps never
// come back to omnicast. A broadcast that has not started sending has
// nothing to list. It reads the counts kept as taps arrive
// (button_clicks, a row per button), the modules' names and the template.
func BroadcastButtonClicks(db *gorm.DB, b *Broadcast) ([]ButtonClicks, error) {
	out, err := SentButtons(db, b)
	if err != nil || len(out) == 0 {
		return nil, err
	}
	counts, err := CountTaps(db, b.ID)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]TapCount, len(counts))
	for _, c := range counts {
		byKey[clickKey(c.ModuleID, c.Button)] = c
	}
	// Taps that match no button sent (a payload copied or made up) are
	// not anyone's clicks on this broadcast.
	for i := range out {
		c := byKey[out[i].Key]
		out[i].People, out[i].Taps = c.People, c.Taps
	}
	return out, nil
}

// SentButtons is BroadcastButtonClicks without the counts: the buttons
// of what b sent, labelled, with their modules' names.
func SentButtons(db *gorm.DB, b *Broadcast) ([]ButtonClicks, error) {
	if b.SentContent == "" {
		return nil, nil
	}
	content, err := SentContentOf(b)
	if err != nil {
		return nil, err
	}
	out := cardButtons(content)
	tb, err := templateButtons(db, b.ChannelID, content.Template)
	if err != nil {
		return nil, err
	}
	out = append(out, tb...)
	if len(out) == 0 {
		return nil, nil
	}
	if err := fillModuleNames(db, out); err != nil {
		return nil, err
	}
	return out, nil
}

func clickKey(module uint, button int) string {
	return strconv.FormatUint(uint64(module), 10) + ":" + strconv.Itoa(button)
}

// cardButtons lists the reply buttons of the bot cards sent, each once
// (a module sent twice has one set of payloads).
func cardButtons(content channels.Content) []ButtonClicks {
	var out []ButtonClicks
	seen := map[string]bool{}
	for _, p := range content.Parts {
		if p.Kind != channels.PartBotCard || p.Card == nil {
			continue
		}
		for _, t := range p.Card.TapTargets() {
			key := clickKey(p.ModuleID, t.Index)
			if t.Type != channels.ButtonReply || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, ButtonClicks{Key: key, Source: ClickBotCard, ModuleID: p.ModuleID, Button: t.Index, Label: t.Title})
		}
	}
	return out
}

// templateButtons lists the quick-reply buttons of the WhatsApp template
// sent that carry a tap payload (an action other than none). The labels
// come from the channel's synced template; a template since deleted
// leaves them blank.
func templateButtons(db *gorm.DB, channelID uint, fill *channels.TemplateFill) ([]ButtonClicks, error) {
	if fill == nil || len(fill.Buttons) == 0 {
		return nil, nil
	}
	var labels []string
	var row WATemplate
	err := db.Where("channel_id = ? AND name = ? AND language = ?", channelID, fill.Name, fill.Language).Take(&row).Error
	switch {
	case err == nil:
		var tpl *whatsapp.Template
		if tpl, err = ParseWATemplate(row); err != nil {
			return nil, err
		}
		for _, qr := range tpl.QuickReplyButtons() {
			labels = append(labels, qr.Text)
		}
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, fmt.Errorf("models: template %s (%s) of channel %d: %w", fill.Name, fill.Language, channelID, err)
	}
	var out []ButtonClicks
	for i, a := range fill.Buttons {
		if a.Action == "" || a.Action == channels.ActionNone {
			continue
		}
		c := ButtonClicks{Key: clickKey(a.ModuleID, i), Source: ClickTemplate, ModuleID: a.ModuleID, Button: i, Action: a.Action}
		if i < len(labels) {
			c.Label = labels[i]
		}
		out = append(out, c)
	}
	return out, nil
}

// fillModuleNames sets each button's module name, in one query.
func fillModuleNames(db *gorm.DB, buttons []ButtonClicks) error {
	ids := make([]uint, 0, len(buttons))
	for _, b := range buttons {
		ids = append(ids, b.ModuleID)
	}
	names, err := ModuleNames(db, ids)
	if err != nil {
		return err
	}
	for i := range buttons {
		buttons[i].ModuleName = names[buttons[i].ModuleID]
	}
	return nil
}

// ModuleNames returns the names of the bot modules ids that still exist,
// in one query (0 and repeats are allowed).
func ModuleNames(db *gorm.DB, ids []uint) (map[uint]string, error) {
	names := map[uint]string{}
	ids = slices.DeleteFunc(slices.Clone(ids), func(id uint) bool { return id == 0 })
	if len(ids) == 0 {
		return names, nil
	}
	var mods []struct {
		ID   uint
		Name string
	}
	if err := db.Model(&BotModule{}).Select("id, name").Where("id IN ?", ids).Scan(&mods).Error; err != nil {
		return nil, fmt.Errorf("models: names of bot modules: %w", err)
	}
	for _, m := range mods {
		names[m.ID] = m.Name
	}
	return names, nil
}
