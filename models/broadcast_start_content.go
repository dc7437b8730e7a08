package models

import (
	"gorm.io/gorm"

	"omnicast/channels"
)

// resolveSentCard resolves a bot card as it is when sending starts: the
// module's last saved version, carousel images by their public URLs.
func resolveSentCard(db *gorm.DB, id uint, publicURL string) (*channels.Card, error) {
	m, err := FindBotModule(db, id)
	if err != nil {
		return nil, err
	}
	card, err := m.Card(func(uploadID uint) (*channels.Image, error) {
		up, err := FindUpload(db, uploadID)
		if err != nil {
			return nil, err
		}
		img := up.Image(publicURL)
		return &img, nil
	})
	if err != nil {
		return nil, err
	}
	return &card, nil
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
