package models

import (
	"strings"

	"omnicast/channels"
)

// BroadcastContent is a broadcast's content as composed and as the JSON
// API takes it: 1–5 messages (Messenger, LINE) or one WhatsApp template.
// Images and bot cards are references, resolved to channels.Content
// (image URLs, card contents) when sending starts, so the last saved
// version of each is what goes out.
type BroadcastContent struct {
	Messages []MessageSpec `json:"messages,omitempty"`
	Template *TemplateSpec `json:"template,omitempty"`
}

// Message types of a composed broadcast (channels.Part* kinds).
const (
	MessageText    = channels.PartText
	MessageImage   = channels.PartImage
	MessageBotCard = channels.PartBotCard
)

// MessageSpec is one composed message.
type MessageSpec struct {
	Type        string `json:"type"`                    // MessageText | MessageImage | MessageBotCard
	Text        string `json:"text,omitempty"`          // may hold channels.NameParam
	UploadID    uint   `json:"upload_id,omitempty"`     // MessageImage
	BotModuleID uint   `json:"bot_module_id,omitempty"` // MessageBotCard
}

// TemplateSpec is a WhatsApp template with its parameters and button
// actions, as chosen in the WhatsApp composer.
type TemplateSpec struct {
	Name         string       `json:"name"`
	Language     string       `json:"language"`
	HeaderParams []ParamSpec  `json:"header_params,omitempty"`
	BodyParams   []ParamSpec  `json:"body_params,omitempty"`
	Buttons      []ButtonSpec `json:"buttons,omitempty"`
}

// ParamSpec fills one template parameter: fixed text, or the contact's
// name. Name is set for named parameters ({{first_name}}).
type ParamSpec struct {
	Name        string `json:"name,omitempty"`
	Text        string `json:"text,omitempty"`
	ContactName bool   `json:"contact_name,omitempty"`
}

// ButtonSpec is the action of one quick-reply button
// (channels.Action*), with the bot module to send for ActionBot.
type ButtonSpec struct {
	Action      string `json:"action"`
	BotModuleID uint   `json:"bot_module_id,omitempty"`
}

// Personalised tells whether every person gets their own copy (the name
// parameter appears): on LINE that means one push per person instead of
// a multicast.
func (c BroadcastContent) Personalised() bool {
	for _, m := range c.Messages {
		if m.Type == MessageText && strings.Contains(m.Text, channels.NameParam) {
			return true
		}
	}
	if c.Template != nil {
		for _, p := range append(append([]ParamSpec{}, c.Template.HeaderParams...), c.Template.BodyParams...) {
			if p.ContactName {
				return true
			}
		}
	}
	return false
}
