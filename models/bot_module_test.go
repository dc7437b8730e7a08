package models_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

func buttonInput() models.BotModuleInput {
	return models.BotModuleInput{Name: "新品通知", Kind: channels.CardButton, Text: "本週新品上架", Buttons: []models.ModuleButton{
		{Title: "看新品", Type: "url", URL: "https://shop.example.com/new"},
		{Title: "稍後提醒", Type: "reply", Payload: "LATER"},
	}}
}

func carouselInput(n int) models.BotModuleInput {
	in := models.BotModuleInput{Name: "熱賣", Kind: channels.CardCarousel}
	for i := range n {
		in.Cards = append(in.Cards, models.ModuleCardSpec{ImageUploadID: uint(i + 1), Title: "商品", Subtitle: "限量",
			Buttons: []models.ModuleButton{{Title: "買", Type: "reply", Payload: "BUY"}}})
	}
	return in
}

func quickInput(n int) models.BotModuleInput {
	in := models.BotModuleInput{Name: "問卷", Kind: channels.CardQuickReply, Text: "想收到哪類消息？"}
	for range n {
		in.Options = append(in.Options, models.ModuleOption{Title: "優惠", Payload: "P"})
	}
	return in
}

func TestBotModuleValidation(t *testing.T) {
	with := func(in models.BotModuleInput, f func(*models.BotModuleInput)) models.BotModuleInput {
		f(&in)
		return in
	}
	cases := []struct {
		name  string
		in    models.BotModuleInput
		field string // "" = valid
		err   error
	}{
		{"button card", buttonInput(), "", nil},
		{"name empty", with(buttonInput(), func(in *models.BotModuleInput) { in.Name = "  " }), "name", models.ErrModuleNameNeeded},
		{"name 60", with(buttonInput(), func(in *models.BotModuleInput) { in.Name = strings.Repeat("名", 60) }), "", nil},
		{"name 61", with(buttonInput(), func(in *models.BotModuleInput) { in.Name = strings.Repeat("名", 61) }), "name", models.ErrModuleNameLong},
		{"kind", with(buttonInput(), func(in *models.BotModuleInput) { in.Kind = "flex" }), "kind", models.ErrModuleKind},
		{"no text", with(buttonInput(), func(in *models.BotModuleInput) { in.Text = "" }), "text", models.ErrModuleTextNeeded},
		{"no buttons", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons = nil }), "buttons", models.ErrModuleButtonsCount},
		{"four buttons", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons = append(in.Buttons, in.Buttons...) }), "buttons", models.ErrModuleButtonsCount},
		{"title 20", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons[0].Title = strings.Repeat("字", 20) }), "", nil},
		{"title 21", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons[0].Title = strings.Repeat("字", 21) }), "buttons[0].title", models.ErrModuleTitleLong},
		{"title empty", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons[1].Title = "" }), "buttons[1].title", models.ErrModuleTitleNeeded},
		{"javascript URL", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons[0].URL = "javascript:alert(1)" }), "buttons[0].url", models.ErrModuleURL},
		{"relative URL", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons[0].URL = "/shop" }), "buttons[0].url", models.ErrModuleURL},
		{"button type", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons[0].Type = "call" }), "buttons[0].type", models.ErrModuleButtonType},
		{"payload 1000", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons[1].Payload = strings.Repeat("p", 1000) }), "", nil},
		{"payload 1001", with(buttonInput(), func(in *models.BotModuleInput) { in.Buttons[1].Payload = strings.Repeat("p", 1001) }), "buttons[1].payload", models.ErrModulePayloadLong},
		{"carousel 1", carouselInput(1), "", nil},
		{"carousel 10", carouselInput(10), "", nil},
		{"carousel 0", carouselInput(0), "cards", models.ErrModuleCardsCount},
		{"carousel 11", carouselInput(11), "cards", models.ErrModuleCardsCount},
		{"card without image", with(carouselInput(2), func(in *models.BotModuleInput) { in.Cards[1].ImageUploadID = 0 }), "cards[1].image_upload_id", models.ErrModuleImageNeeded},
		{"card title 80", with(carouselInput(1), func(in *models.BotModuleInput) { in.Cards[0].Title = strings.Repeat("t", 80) }), "", nil},
		{"card title 81", with(carouselInput(1), func(in *models.BotModuleInput) { in.Cards[0].Title = strings.Repeat("t", 81) }), "cards[0].title", models.ErrModuleCardTitleLong},
		{"card subtitle 81", with(carouselInput(1), func(in *models.BotModuleInput) { in.Cards[0].Subtitle = strings.Repeat("t", 81) }), "cards[0].subtitle", models.ErrModuleSubtitleLong},
		{"card without buttons", with(carouselInput(1), func(in *models.BotModuleInput) { in.Cards[0].Buttons = nil }), "cards[0].buttons", models.ErrModuleButtonsCount},
		{"card button URL", with(carouselInput(1), func(in *models.BotModuleInput) {
			in.Cards[0].Buttons[0] = models.ModuleButton{Title: "x", Type: "url", URL: "ftp://x"}
		}), "cards[0].buttons[0].url", models.ErrModuleURL},
		{"quick reply 13", quickInput(13), "", nil},
		{"quick reply 14", quickInput(14), "options", models.ErrModuleOptionsCount},
		{"quick reply 0", quickInput(0), "options", models.ErrModuleOptionsCount},
		{"option title 21", with(quickInput(2), func(in *models.BotModuleInput) { in.Options[1].Title = strings.Repeat("a", 21) }), "options[1].title", models.ErrModuleTitleLong},
		{"quick reply no text", with(quickInput(2), func(in *models.BotModuleInput) { in.Text = "" }), "text", models.ErrModuleTextNeeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.in.Validate()
			if tc.field == "" {
				if errs != nil {
					t.Fatalf("errors %v, want none", errs)
				}
				return
			}
			if !errors.Is(errs[tc.field], tc.err) {
				t.Errorf("errors %v, want %s: %v", errs, tc.field, tc.err)
			}
		})
	}
}

func TestBotModuleCleansOtherKindsFields(t *testing.T) {
	in := buttonInput()
	in.Cards = carouselInput(1).Cards
	in.Options = quickInput(1).Options
	in.Buttons[0].Payload = "ignored for a URL button"
	if errs := in.Validate(); errs != nil {
		t.Fatal(errs)
	}
	if in.Cards != nil || in.Options != nil || in.Buttons[0].Payload != "" {
		t.Errorf("other kinds' fields kept: %+v", in)
	}
}

func TestBotModuleLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		who := models.Actor{UserID: 1}
		m, err := models.SaveBotModule(db, 0, carouselInput(2), who, at(0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.SaveBotModule(db, 0, carouselInput(11), who, at(0)); err == nil {
			t.Fatal("invalid module saved")
		} else if fe := (models.FieldErrors{}); !errors.As(err, &fe) || fe["cards"] == nil {
			t.Fatalf("error %v, want FieldErrors on cards", err)
		}
		edit := buttonInput()
		m2, err := models.SaveBotModule(db, m.ID, edit, models.Actor{UserID: 2}, at(5))
		if err != nil {
			t.Fatal(err)
		}
		if m2.Kind != channels.CardButton || m2.UpdatedBy != 2 || m2.CreatedBy != 1 || !m2.UpdatedAt.Equal(at(5)) {
			t.Errorf("updated %+v", m2)
		}
		if _, err := models.SaveBotModule(db, 999, edit, who, at(5)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("update of a missing module: %v", err)
		}
		cp, err := models.DuplicateBotModule(db, m.ID, "新品通知 (副本)", who, at(6))
		if err != nil || cp.ID == m.ID || cp.Spec != m2.Spec || cp.Name != "新品通知 (副本)" {
			t.Fatalf("duplicate %+v %v", cp, err)
		}
		list, err := models.ListBotModules(db)
		if err != nil || len(list) != 2 || list[0].ID != cp.ID {
			t.Fatalf("list %+v %v", list, err)
		}
		got, err := models.FindBotModule(db, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		back, err := got.Input()
		if err != nil || back.Text != edit.Text || len(back.Buttons) != 2 || back.Buttons[0].URL != edit.Buttons[0].URL {
			t.Errorf("round trip %+v %v", back, err)
		}

		// A draft using the module keeps it; a finished broadcast does not.
		b := models.Broadcast{ChannelID: 1, Subject: "s", Status: models.BroadcastDraft,
			Content: `{"messages":[{"type":"bot_card","bot_module_id":` + itoa(m.ID) + `}]}`}
		if err := db.Create(&b).Error; err != nil {
			t.Fatal(err)
		}
		// Module 1 must not be held by a reference to module 1x.
		other := models.Broadcast{ChannelID: 1, Subject: "s", Status: models.BroadcastDraft,
			Content: `{"messages":[{"type":"bot_card","bot_module_id":` + itoa(cp.ID) + `0}]}`}
		if err := db.Create(&other).Error; err != nil {
			t.Fatal(err)
		}
		if err := models.DeleteBotModule(db, m.ID); !errors.Is(err, models.ErrModuleInUse) {
			t.Fatalf("delete in use: %v", err)
		}
		if err := models.DeleteBotModule(db, cp.ID); err != nil {
			t.Fatalf("delete a module only named as a prefix: %v", err)
		}
		db.Model(&b).Update("status", models.BroadcastDone)
		if err := models.DeleteBotModule(db, m.ID); err != nil {
			t.Fatal(err)
		}
		if err := models.DeleteBotModule(db, m.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
	})
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

func TestBotModuleCardAndFits(t *testing.T) {
	in := carouselInput(2)
	if errs := in.Validate(); errs != nil {
		t.Fatal(errs)
	}
	resolve := func(id uint) (*channels.Image, error) {
		if id == 2 {
			return nil, models.ErrNotFound
		}
		return &channels.Image{URL: "https://cdn.example.com/media/a.jpg", ContentType: "image/jpeg", Bytes: 1000}, nil
	}
	card, err := in.Card(resolve)
	if err != nil {
		t.Fatal(err)
	}
	if card.Cards[0].Image == nil || card.Cards[1].Image != nil {
		t.Fatalf("images %+v", card.Cards)
	}
	fits := models.ModuleFits(card)
	for _, kind := range []string{channels.KindLINE, channels.KindMessenger} {
		found := false
		for _, p := range fits[kind] {
			found = found || (p.Code == channels.ProblemImageMissing && p.Field == "cards[1].image")
		}
		if !found {
			t.Errorf("%s: %+v, want image_missing", kind, fits[kind])
		}
	}
	if _, err := in.Card(func(uint) (*channels.Image, error) { return nil, errors.New("disk gone") }); err == nil {
		t.Error("resolver failure hidden")
	}
}
