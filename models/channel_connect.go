package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"omnicast/channels/connect"
	"omnicast/channels/whatsapp"
)

// Connect fills what channels/connect needs to build the channel's API
// clients: kind, ids, base URL and the decrypted access token. With db
// non-nil a WhatsApp channel also gets its template source (the templates
// last synchronised, read once per template by each client). The result
// holds a secret: never log it.
//
//	cc, err := ch.Connect(sealer, db)
//	clients, err := connect.Client(cc, httpClient)
func (c *Channel) Connect(sealer *Sealer, db *gorm.DB) (connect.Channel, error) {
	secrets, err := c.Secrets(sealer)
	if err != nil {
		return connect.Channel{}, err
	}
	return c.ConnectWith(secrets, db), nil
}

// ConnectWith is Connect for credentials already decrypted.
func (c *Channel) ConnectWith(secrets ChannelSecrets, db *gorm.DB) connect.Channel {
	cc := connect.Channel{Kind: c.Kind, ExternalID: c.ExternalID, WABAID: c.WABAID, BaseURL: c.APIBaseURL,
		AccessToken: secrets.AccessToken}
	if db != nil {
		cc.Templates = WATemplateSource(db, c.ID)
	}
	return cc
}

// ErrTemplateNotSynced: the template is not among the channel's
// synchronised templates (deleted on the platform, or never synced).
var ErrTemplateNotSynced = errors.New("models: template not among the channel's synchronised templates")

// WATemplateSource reads a WhatsApp channel's templates from wa_templates.
func WATemplateSource(db *gorm.DB, channelID uint) whatsapp.TemplateSource {
	return func(ctx context.Context, name, language string) (whatsapp.Template, error) {
		var row WATemplate
		err := db.WithContext(ctx).Where("channel_id = ? AND name = ? AND language = ?", channelID, name, language).
			Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return whatsapp.Template{}, fmt.Errorf("%w: %s (%s)", ErrTemplateNotSynced, name, language)
		}
		if err != nil {
			return whatsapp.Template{}, fmt.Errorf("models: template %s (%s) of channel %d: %w", name, language, channelID, err)
		}
		return row.platformTemplate()
	}
}

// platformTemplate is the row as the WhatsApp client reads templates.
func (t WATemplate) platformTemplate() (whatsapp.Template, error) {
	out := whatsapp.Template{ID: t.ExternalID, Name: t.Name, Language: t.Language, Status: t.Status, Category: t.Category}
	if err := json.Unmarshal([]byte(t.Components), &out.Components); err != nil {
		return whatsapp.Template{}, fmt.Errorf("models: template %s (%s) components: %w", t.Name, t.Language, err)
	}
	return out, nil
}
