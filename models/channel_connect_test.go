package models_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/connect"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestChannelConnect: a stored WhatsApp channel becomes its clients, and
// its Sender fills the synchronised template from the database and sends
// it through the simulator.
func TestChannelConnect(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindWhatsApp)
		rows := []models.WATemplate{{Name: "order_update", Language: "zh_TW", Status: "APPROVED", Category: "UTILITY",
			Components: `[{"type":"BODY","text":"{{1}}，您的訂單已出貨"}]`}}
		if err := models.ReplaceWATemplates(db, ch.ID, rows, t0); err != nil {
			t.Fatal(err)
		}
		cc, err := ch.Connect(testSealer(t), db)
		if err != nil {
			t.Fatal(err)
		}
		if cc.Kind != channels.KindWhatsApp || cc.ExternalID != "ext-whatsapp" || cc.WABAID != "waba-1" ||
			cc.AccessToken != "tok-whatsapp-ABCD1234" || cc.Templates == nil {
			t.Fatalf("connect.Channel %+v", cc)
		}
		if _, err := cc.Templates(context.Background(), "gone", "zh_TW"); !errors.Is(err, models.ErrTemplateNotSynced) {
			t.Errorf("missing template: err = %v", err)
		}

		s := sim.New(sim.Config{ReceiptDelay: -1})
		url, err := s.Start()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.AddAccount(sim.Account{Kind: channels.KindWhatsApp, ExternalID: "ext-whatsapp", WABAID: "waba-1", AccessToken: "tok-whatsapp-ABCD1234"})
		s.AddTemplate("waba-1", sim.Template{Name: "order_update", Language: "zh_TW", Category: "UTILITY",
			Components: []sim.TemplateComponent{{Type: "BODY", Text: "{{1}}，您的訂單已出貨"}}})
		s.AddPerson("ext-whatsapp", sim.Person{ID: "886912345678", Name: "陳怡君", Phone: "+886912345678"})
		cc.BaseURL = url
		cl, err := connect.Client(cc, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := cl.Sender.Send(context.Background(), channels.Outgoing{To: "886912345678", Name: "陳怡君",
			Content: channels.Content{Template: &channels.TemplateFill{Name: "order_update", Language: "zh_TW",
				Body: []channels.TemplateParam{{ContactName: true}}}}})
		if r.Outcome != channels.Sent || r.ProviderMessageID == "" {
			t.Fatalf("send = %+v", r)
		}
		if sent := s.SentTo("886912345678"); len(sent) != 1 {
			t.Errorf("%d messages recorded, want 1", len(sent))
		}
	})
}
