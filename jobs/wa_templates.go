package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/connect"
	"omnicast/models"
)

// SyncWATemplates fetches a WhatsApp channel's message templates from the
// platform and stores them, returning how many there are.
func SyncWATemplates(ctx context.Context, db *gorm.DB, sealer *models.Sealer, ch *models.Channel, now time.Time) (int, error) {
	if ch.Kind != channels.KindWhatsApp {
		return 0, fmt.Errorf("jobs: channel %d is not a WhatsApp channel", ch.ID)
	}
	cc, err := ch.Connect(sealer, nil)
	if err != nil {
		return 0, err
	}
	clients, err := connect.Client(cc, nil)
	if err != nil {
		return 0, fmt.Errorf("jobs: clients of channel %d: %w", ch.ID, err)
	}
	list, err := clients.Templates.ListTemplates(ctx)
	if err != nil {
		return 0, fmt.Errorf("jobs: list templates of channel %d: %w", ch.ID, err)
	}
	rows := make([]models.WATemplate, 0, len(list))
	for _, t := range list {
		comps, err := json.Marshal(t.Components)
		if err != nil {
			return 0, fmt.Errorf("jobs: encode template %s: %w", t.Name, err)
		}
		rows = append(rows, models.WATemplate{
			Name: t.Name, Language: t.Language, ExternalID: t.ID, Category: t.Category, Status: t.Status, Components: string(comps),
		})
	}
	if err := models.ReplaceWATemplates(db, ch.ID, rows, now); err != nil {
		return 0, err
	}
	return len(rows), nil
}
