package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// The editor posts fixed rows (three buttons, one more card and option
// than filled); empty rows are dropped, so staff never manage row counts.
const (
	formButtonRows = models.ModuleButtonsMax
	minOptionRows  = 3
)

// botInput reads the editor form: field names are the API's
// ("cards[1].buttons[0].url"), so model errors land beside their input.
func botInput(c echo.Context) models.BotModuleInput {
	form := func(name string) string { return c.FormValue(name) }
	in := models.BotModuleInput{Kind: form("kind"), Name: form("name"), Text: form("text")}
	in.Buttons = formButtons(form, "buttons")
	for i := range models.ModuleCardsMax {
		f := fmt.Sprintf("cards[%d]", i)
		card := models.ModuleCardSpec{Title: form(f + ".title"), Subtitle: form(f + ".subtitle"),
			Buttons: formButtons(form, f+".buttons")}
		rawImage := strings.TrimSpace(form(f + ".image_upload_id"))
		id, _ := parseID(rawImage)
		card.ImageUploadID = id
		if card.Title == "" && card.Subtitle == "" && rawImage == "" && len(card.Buttons) == 0 {
			continue
		}
		in.Cards = append(in.Cards, card)
	}
	for i := range models.ModuleOptionsMax {
		f := fmt.Sprintf("options[%d]", i)
		o := models.ModuleOption{Title: form(f + ".title"), Payload: form(f + ".payload")}
		if strings.TrimSpace(o.Title) == "" && strings.TrimSpace(o.Payload) == "" {
			continue
		}
		in.Options = append(in.Options, o)
	}
	return in
}

func formButtons(form func(string) string, prefix string) []models.ModuleButton {
	var out []models.ModuleButton
	for i := range formButtonRows + 1 { // one past the limit, so a fourth is refused, not lost
		f := fmt.Sprintf("%s[%d]", prefix, i)
		b := models.ModuleButton{Title: form(f + ".title"), Type: form(f + ".type"), URL: form(f + ".url"), Payload: form(f + ".payload")}
		if strings.TrimSpace(b.Title) == "" && strings.TrimSpace(b.URL) == "" && strings.TrimSpace(b.Payload) == "" {
			continue
		}
		out = append(out, b)
	}
	return out
}

// botForm builds the editor's view model from an input, with rows to
// fill, the live preview and the errors (catalogue ids).
func (s *Server) botForm(c echo.Context, id uint, in models.BotModuleInput, errs views.FormErrors, more bool) (views.BotForm, error) {
	f := views.BotForm{ID: id, Kind: in.Kind, Name: in.Name, Text: in.Text, Errors: errs, CSS: s.assets.URL("css/bots.css")}
	extra := 1
	if more {
		extra = 3
	}
	f.Buttons = padButtons(in.Buttons, formButtonRows)
	for _, card := range in.Cards {
		f.Cards = append(f.Cards, s.cardForm(card))
	}
	for len(f.Cards) < min(max(len(in.Cards)+extra, 1), models.ModuleCardsMax) {
		f.Cards = append(f.Cards, views.BotCardForm{Buttons: padButtons(nil, formButtonRows)})
	}
	for _, o := range in.Options {
		f.Options = append(f.Options, views.BotOptionForm{Title: o.Title, Payload: o.Payload})
	}
	for len(f.Options) < min(max(len(in.Options)+extra, minOptionRows), models.ModuleOptionsMax) {
		f.Options = append(f.Options, views.BotOptionForm{})
	}
	preview, err := s.botPreview(in)
	if err != nil {
		return f, err
	}
	f.Preview = preview
	return f, nil
}

func (s *Server) cardForm(card models.ModuleCardSpec) views.BotCardForm {
	cf := views.BotCardForm{Title: card.Title, Subtitle: card.Subtitle, Buttons: padButtons(card.Buttons, formButtonRows)}
	if card.ImageUploadID != 0 {
		cf.ImageUploadID = strconv.FormatUint(uint64(card.ImageUploadID), 10)
		if img, err := s.moduleImage(card.ImageUploadID); err == nil {
			cf.ImageURL = img.URL
		}
	}
	return cf
}

func padButtons(bs []models.ModuleButton, n int) []views.BotButtonForm {
	out := make([]views.BotButtonForm, 0, max(n, len(bs)))
	for _, b := range bs {
		out = append(out, views.BotButtonForm{Title: b.Title, Type: b.Type, URL: b.URL, Payload: b.Payload})
	}
	for len(out) < n {
		out = append(out, views.BotButtonForm{Type: channels.ButtonURL})
	}
	return out
}

// botPreview resolves the input and checks it on every channel.
func (s *Server) botPreview(in models.BotModuleInput) (views.BotPreview, error) {
	card, err := in.Card(s.moduleImage)
	if err != nil {
		return views.BotPreview{}, err
	}
	v := views.BotPreview{Kind: in.Kind, Text: in.Text, Fits: botFits(card)}
	for _, b := range in.Buttons {
		v.Buttons = append(v.Buttons, views.BotButtonForm{Title: b.Title, Type: b.Type})
	}
	for i, cc := range in.Cards {
		cf := views.BotCardForm{Title: cc.Title, Subtitle: cc.Subtitle}
		if card.Cards[i].Image != nil {
			cf.ImageURL = card.Cards[i].Image.URL
		}
		for _, b := range cc.Buttons {
			cf.Buttons = append(cf.Buttons, views.BotButtonForm{Title: b.Title, Type: b.Type})
		}
		v.Cards = append(v.Cards, cf)
	}
	for _, o := range in.Options {
		v.Options = append(v.Options, views.BotOptionForm{Title: o.Title})
	}
	return v, nil
}

// botFits words a card's fit per channel for the views.
func botFits(card channels.Card) []views.BotFit {
	fits := models.ModuleFits(card)
	var out []views.BotFit
	for _, kind := range moduleKinds() {
		f := views.BotFit{Kind: kind, Fits: len(fits[kind]) == 0}
		for _, p := range fits[kind] {
			f.Problems = append(f.Problems, views.Problem{ID: "fit." + p.Code, Args: []any{"Limit", p.Limit, "Got", p.Got}, Field: p.Field})
		}
		out = append(out, f)
	}
	return out
}

// moduleKinds are the channels a module is checked for, in the list's order.
func moduleKinds() []string {
	return []string{channels.KindMessenger, channels.KindLINE, channels.KindWhatsApp}
}

// moduleImage resolves a carousel card's upload to the image platforms
// fetch, under the workspace's public URL (relative /media/… while none
// is set: the browser still shows it, and the fit checks say platforms
// cannot fetch it).
func (s *Server) moduleImage(id uint) (*channels.Image, error) {
	u, err := models.FindUpload(s.db, id)
	if err != nil {
		return nil, err
	}
	img := u.Image(s.Workspace().PublicURL)
	return &img, nil
}

// loadBotModule loads :id or answers 404.
func (s *Server) loadBotModule(c echo.Context) (*models.BotModule, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	m, err := models.FindBotModule(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, echo.ErrNotFound
	}
	return m, err
}

// isBotKind tells whether k is one of the three module kinds.
func isBotKind(k string) bool {
	return k == channels.CardButton || k == channels.CardCarousel || k == channels.CardQuickReply
}
