package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// composerInput is the composer form as posted. Messages come as parallel
// lists (m_type, m_text, m_upload, m_thumb, m_module: one entry of each
// per message, in order); WhatsApp parameters likewise.
type composerInput struct {
	AudienceID uint
	Version    int
	Subject    string
	MessageTag string
	SendMode   string // now | scheduled
	Date, Time string
	Tags       string
	Messages   []views.ComposerMessage
	// WhatsApp.
	TemplateKey string
	Header      []views.ParamInput
	Body        []views.ParamInput
	Buttons     []views.ButtonInput
	// Op is the button pressed: save, next, test, add_text, add_image,
	// add_bot_card:<module id>, remove:<i>, up:<i>, down:<i>.
	Op string
}

// readComposer reads the posted form (already parsed by cleanForm).
func readComposer(form url.Values) composerInput {
	in := composerInput{
		Subject: form.Get("subject"), MessageTag: form.Get("message_tag"), SendMode: form.Get("send_mode"),
		Date: form.Get("scheduled_date"), Time: form.Get("scheduled_time"), Tags: form.Get("apply_tags"),
		TemplateKey: form.Get("template"), Op: form.Get("op"),
	}
	in.AudienceID, _ = parseID(form.Get("audience"))
	in.Version, _ = strconv.Atoi(form.Get("version"))
	types := form["m_type"]
	for i, typ := range types {
		m := views.ComposerMessage{Type: typ, Text: at(form["m_text"], i)}
		m.UploadID, _ = parseID(at(form["m_upload"], i))
		m.ModuleID, _ = parseID(at(form["m_module"], i))
		if th := at(form["m_thumb"], i); strings.HasPrefix(th, "/media/") {
			m.Thumb = th
		}
		switch typ {
		case models.MessageText, models.MessageImage, models.MessageBotCard:
			in.Messages = append(in.Messages, m)
		}
	}
	in.Header = readParams(form, "hp")
	in.Body = readParams(form, "bp")
	for i, a := range form["btn_action"] {
		b := views.ButtonInput{Action: a}
		b.ModuleID, _ = parseID(at(form["btn_module"], i))
		in.Buttons = append(in.Buttons, b)
	}
	return in
}

// readParams reads one list of template parameters: <p>_kind (text |
// contact), <p>_text and <p>_name (named parameters).
func readParams(form url.Values, p string) []views.ParamInput {
	var out []views.ParamInput
	for i, kind := range form[p+"_kind"] {
		out = append(out, views.ParamInput{Text: at(form[p+"_text"], i), Name: at(form[p+"_name"], i), ContactName: kind == "contact"})
	}
	return out
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// applyOp changes the message list as a structural button asked (add,
// remove, move). It tells whether op was one of them. Refused adds (the
// exclusivity rules) change nothing: the page shows why.
func (in *composerInput) applyOp() bool {
	op, arg, _ := strings.Cut(in.Op, ":")
	i, _ := strconv.Atoi(arg)
	switch op {
	case "add_text", "add_image", "add_bot_card":
		st := addButtons(in.Messages)
		switch {
		case op == "add_text" && !st[0].Disabled:
			in.Messages = append(in.Messages, views.ComposerMessage{Type: models.MessageText})
		case op == "add_image" && !st[1].Disabled:
			in.Messages = append(in.Messages, views.ComposerMessage{Type: models.MessageImage})
		case op == "add_bot_card" && !st[2].Disabled:
			m := views.ComposerMessage{Type: models.MessageBotCard}
			m.ModuleID, _ = parseID(arg)
			in.Messages = append(in.Messages, m)
		}
	case "pick":
		// A template was chosen: its inputs are laid out, nothing saved.
	case "remove":
		if i >= 0 && i < len(in.Messages) {
			in.Messages = append(in.Messages[:i], in.Messages[i+1:]...)
		}
	case "up":
		if i > 0 && i < len(in.Messages) {
			in.Messages[i-1], in.Messages[i] = in.Messages[i], in.Messages[i-1]
		}
	case "down":
		if i >= 0 && i+1 < len(in.Messages) {
			in.Messages[i], in.Messages[i+1] = in.Messages[i+1], in.Messages[i]
		}
	default:
		return false
	}
	return true
}

// addButtons applies the composer's rules to the three add buttons (text,
// image, bot card): at most 5 messages; a bot card never with another
// message. Reasons are catalogue ids.
func addButtons(msgs []views.ComposerMessage) [3]views.AddButton {
	var st [3]views.AddButton
	hasCard := false
	for _, m := range msgs {
		if m.Type == models.MessageBotCard {
			hasCard = true
		}
	}
	switch {
	case hasCard:
		st[0] = views.AddButton{Disabled: true, Reason: "compose.add_refused_card"}
		st[1] = st[0]
		st[2] = views.AddButton{Disabled: true, Reason: "compose.add_refused_one_card"}
	case len(msgs) >= channels.MaxParts:
		st[0] = views.AddButton{Disabled: true, Reason: "compose.add_refused_max"}
		st[1] = st[0]
		st[2] = views.AddButton{Disabled: true, Reason: "compose.add_refused_others"}
	case len(msgs) > 0:
		st[2] = views.AddButton{Disabled: true, Reason: "compose.add_refused_others"}
	}
	return st
}

// draft turns the form into the domain's draft; the scheduled time is read
// in the workspace zone. A date or time that does not parse leaves
// ScheduledAt nil, which validation refuses beside the field.
func (in composerInput) draft(ch *models.Channel, templates []models.WATemplate, loc *time.Location) models.Draft {
	d := models.Draft{ChannelID: ch.ID, Subject: strings.TrimSpace(in.Subject), SendNow: in.SendMode != "scheduled"}
	if ch.Kind == channels.KindMessenger {
		d.MessageTag = in.MessageTag
		if d.MessageTag == "" {
			d.MessageTag = models.TagStandard
		}
	}
	if !d.SendNow {
		if t, err := time.ParseInLocation("2006-01-02 15:04", in.Date+" "+in.Time, loc); err == nil {
			d.ScheduledAt = &t
		}
	}
	d.ApplyTags = models.SplitTagNames(in.Tags)
	if in.AudienceID != 0 {
		id := in.AudienceID
		d.Audience.AudienceID = &id
	}
	if ch.Kind == channels.KindWhatsApp {
		d.Content.Template = in.templateSpec(templates)
		return d
	}
	for _, m := range in.Messages {
		spec := models.MessageSpec{Type: m.Type}
		switch m.Type {
		case models.MessageText:
			spec.Text = m.Text
		case models.MessageImage:
			spec.UploadID = m.UploadID
		case models.MessageBotCard:
			spec.BotModuleID = m.ModuleID
		}
		d.Content.Messages = append(d.Content.Messages, spec)
	}
	return d
}

// templateSpec is the WhatsApp template part of the draft; nil when no
// template is chosen.
func (in composerInput) templateSpec(templates []models.WATemplate) *models.TemplateSpec {
	name, lang, ok := strings.Cut(in.TemplateKey, "|")
	if !ok || name == "" {
		return nil
	}
	spec := &models.TemplateSpec{Name: name, Language: lang}
	for _, p := range in.Header {
		spec.HeaderParams = append(spec.HeaderParams, models.ParamSpec{Name: p.Name, Text: p.Text, ContactName: p.ContactName})
	}
	for _, p := range in.Body {
		spec.BodyParams = append(spec.BodyParams, models.ParamSpec{Name: p.Name, Text: p.Text, ContactName: p.ContactName})
	}
	for _, b := range in.Buttons {
		action := b.Action
		if action == "" {
			action = channels.ActionNone
		}
		spec.Buttons = append(spec.Buttons, models.ButtonSpec{Action: action, BotModuleID: b.ModuleID})
	}
	return spec
}

// inputFromBroadcast fills the form from a saved broadcast (edit).
func inputFromBroadcast(b *models.Broadcast, loc *time.Location) (composerInput, error) {
	in := composerInput{Version: b.Version, Subject: b.Subject, MessageTag: b.MessageTag, Tags: strings.Join(b.Tags(), ", "), SendMode: "now"}
	if b.AudienceID != nil {
		in.AudienceID = *b.AudienceID
	}
	if !b.SendNow && b.ScheduledAt != nil {
		in.SendMode = "scheduled"
		local := b.ScheduledAt.In(loc)
		in.Date, in.Time = local.Format("2006-01-02"), local.Format("15:04")
	}
	spec, err := b.Spec()
	if err != nil {
		return in, err
	}
	for _, m := range spec.Messages {
		in.Messages = append(in.Messages, views.ComposerMessage{Type: m.Type, Text: m.Text, UploadID: m.UploadID, ModuleID: m.BotModuleID})
	}
	if t := spec.Template; t != nil {
		in.TemplateKey = t.Name + "|" + t.Language
		for _, p := range t.HeaderParams {
			in.Header = append(in.Header, views.ParamInput{Name: p.Name, Text: p.Text, ContactName: p.ContactName})
		}
		for _, p := range t.BodyParams {
			in.Body = append(in.Body, views.ParamInput{Name: p.Name, Text: p.Text, ContactName: p.ContactName})
		}
		for _, bt := range t.Buttons {
			in.Buttons = append(in.Buttons, views.ButtonInput{Action: bt.Action, ModuleID: bt.BotModuleID})
		}
	}
	return in, nil
}

// textCount counts a text as the channel does (the composer's counter
// shows the figure validation checks).
func textCount(s string, kind string) int {
	_, count := models.TextLimit(kind)
	return count(s)
}
