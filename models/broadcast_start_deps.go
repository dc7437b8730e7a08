package models

import (
	"gorm.io/gorm"

	"omnicast/channels"
)

// resolveSentCard resolves a bot card as validation does (resolveBotCard,
// helper core's adapter until the bot builder is on main).
func resolveSentCard(db *gorm.DB, id uint, publicURL string) (*channels.Card, error) {
	return resolveBotCard(db, id, publicURL)
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
