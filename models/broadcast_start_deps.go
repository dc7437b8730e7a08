package models

import (
	"errors"

	"gorm.io/gorm"

	"omnicast/channels"
)

// TEMPORARY ADAPTER (helper dispatch, issue 9): bot modules (helper bots,
// issue 8) are not on main yet. When FindBotModule and (*BotModule).Card
// land, resolveSentCard becomes FindBotModule(db, id) + Card(resolve an
// upload with FindUpload(...).Image(publicURL)).

// errBotModulesMissing: the bot builder has not landed.
var errBotModulesMissing = errors.New("models: bot modules not available yet")

func resolveSentCard(db *gorm.DB, id uint, publicURL string) (*channels.Card, error) {
	return nil, errBotModulesMissing
}

// templateFill turns the composed WhatsApp template into its fill.
func templateFill(t TemplateSpec) *channels.TemplateFill {
	fill := &channels.TemplateFill{Name: t.Name, Language: t.Language}
	for _, p := range t.HeaderParams {
		fill.Header = append(fill.Header, channels.TemplateParam{Name: p.Name, Text: p.Text, ContactName: p.ContactName})
	}
	for _, p := range t.BodyParams {
		fill.Body = append(fill.Body, channels.TemplateParam{Name: p.Name, Text: p.Text, ContactName: p.ContactName})
	}
	for _, b := range t.Buttons {
		fill.Buttons = append(fill.Buttons, channels.ButtonAction{Action: b.Action, ModuleID: b.BotModuleID})
	}
	return fill
}
