package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/fit"
)

// BotModule is a module of the bot builder (自助設計機器人): a button
// card, a carousel or a quick reply, made once and picked in broadcasts.
// Its Spec keeps carousel images as upload ids, resolved when it is shown
// or sent, so a module never holds a stale URL.
type BotModule struct {
	ID        uint   `gorm:"primaryKey"`
	Name      string `gorm:"size:60;not null"`
	Kind      string `gorm:"size:16;not null"` // channels.Card* kinds
	Spec      string `gorm:"not null;default:'{}'"`
	CreatedBy uint   `gorm:"not null"`
	UpdatedBy uint   `gorm:"not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BotModuleInput is a module as the editor and the JSON API take it
// (POST /api/v1/bot-modules): the kind's fields, the others empty.
type BotModuleInput struct {
	Name    string           `json:"name"`
	Kind    string           `json:"kind"`
	Text    string           `json:"text,omitempty"`
	Buttons []ModuleButton   `json:"buttons,omitempty"`
	Cards   []ModuleCardSpec `json:"cards,omitempty"`
	Options []ModuleOption   `json:"options,omitempty"`
}

// CardSpec is what a module stores: its content, with upload ids for images.
type CardSpec struct {
	Text    string           `json:"text,omitempty"`
	Buttons []ModuleButton   `json:"buttons,omitempty"`
	Cards   []ModuleCardSpec `json:"cards,omitempty"`
	Options []ModuleOption   `json:"options,omitempty"`
}

// ModuleButton is a button: "url" opens URL, "reply" answers with Payload
// (the staff's own value; platforms get a tap payload of ours instead).
type ModuleButton struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	URL     string `json:"url,omitempty"`
	Payload string `json:"payload,omitempty"`
}

// ModuleCardSpec is one carousel card.
type ModuleCardSpec struct {
	ImageUploadID uint           `json:"image_upload_id"`
	Title         string         `json:"title"`
	Subtitle      string         `json:"subtitle,omitempty"`
	Buttons       []ModuleButton `json:"buttons"`
}

// ModuleOption is one quick-reply option.
type ModuleOption struct {
	Title   string `json:"title"`
	Payload string `json:"payload,omitempty"`
}

// Limits of a module itself (the bot builder's, from the issue); each
// channel's own, sometimes tighter, limits are the fit checks'.
const (
	BotModuleNameMaxRunes = 60
	ModuleTextMaxRunes    = 2000 // the longest any channel shows (Messenger text)
	ModuleButtonsMax      = 3
	ModuleButtonTitleMax  = 20
	ModuleCardsMax        = 10
	ModuleCardTitleMax    = 80
	ModuleOptionsMax      = 13
	ModulePayloadMax      = 1000
	ModuleURLMax          = 1000
)

// Errors of module validation (catalogue ids).
var (
	ErrModuleNameNeeded    = errors.New("bots.error.name_needed")
	ErrModuleNameLong      = errors.New("bots.error.name_long")
	ErrModuleKind          = errors.New("bots.error.kind")
	ErrModuleTextNeeded    = errors.New("bots.error.text_needed")
	ErrModuleTextLong      = errors.New("bots.error.text_long")
	ErrModuleButtonsCount  = errors.New("bots.error.buttons_count")
	ErrModuleTitleNeeded   = errors.New("bots.error.title_needed")
	ErrModuleTitleLong     = errors.New("bots.error.title_long")
	ErrModuleButtonType    = errors.New("bots.error.button_type")
	ErrModuleURL           = errors.New("bots.error.url")
	ErrModulePayloadLong   = errors.New("bots.error.payload_long")
	ErrModuleCardsCount    = errors.New("bots.error.cards_count")
	ErrModuleCardTitleLong = errors.New("bots.error.card_title_long")
	ErrModuleSubtitleLong  = errors.New("bots.error.subtitle_long")
	ErrModuleImageNeeded   = errors.New("bots.error.image_needed")
	ErrModuleOptionsCount  = errors.New("bots.error.options_count")
	ErrModuleInUse         = errors.New("bots.error.in_use")
)

// clean trims the input's texts and drops the fields of other kinds, so
// what is stored is what is shown.
func (in *BotModuleInput) clean() {
	in.Name = strings.TrimSpace(CleanText(in.Name, 0))
	in.Text = strings.TrimSpace(CleanText(in.Text, 0))
	cleanButtons := func(bs []ModuleButton) {
		for i := range bs {
			b := &bs[i]
			b.Title, b.Type = strings.TrimSpace(CleanText(b.Title, 0)), strings.TrimSpace(b.Type)
			b.URL, b.Payload = strings.TrimSpace(CleanText(b.URL, 0)), strings.TrimSpace(CleanText(b.Payload, 0))
			if b.Type == channels.ButtonURL {
				b.Payload = ""
			} else {
				b.URL = ""
			}
		}
	}
	cleanButtons(in.Buttons)
	for i := range in.Cards {
		c := &in.Cards[i]
		c.Title, c.Subtitle = strings.TrimSpace(CleanText(c.Title, 0)), strings.TrimSpace(CleanText(c.Subtitle, 0))
		cleanButtons(c.Buttons)
	}
	for i := range in.Options {
		o := &in.Options[i]
		o.Title, o.Payload = strings.TrimSpace(CleanText(o.Title, 0)), strings.TrimSpace(CleanText(o.Payload, 0))
	}
	switch in.Kind {
	case channels.CardButton:
		in.Cards, in.Options = nil, nil
	case channels.CardCarousel:
		in.Text, in.Buttons, in.Options = "", nil, nil
	case channels.CardQuickReply:
		in.Buttons, in.Cards = nil, nil
	}
}

// Validate cleans the input and checks the module's own limits: name
// 1–60; a button card's text and 1–3 buttons (titles ≤ 20, URL http(s),
// payload ≤ 1,000); a carousel's 1–10 cards, each with an image, a title
// ≤ 80, a subtitle ≤ 80 and 1–3 buttons; a quick reply's text and 1–13
// options (titles ≤ 20). Field names are the API's ("cards[1].buttons[0].url").
func (in *BotModuleInput) Validate() FieldErrors {
	in.clean()
	errs := FieldErrors{}
	runes := utf8.RuneCountInString
	switch {
	case in.Name == "":
		errs["name"] = ErrModuleNameNeeded
	case runes(in.Name) > BotModuleNameMaxRunes:
		errs["name"] = ErrModuleNameLong
	}
	text := func() {
		switch {
		case in.Text == "":
			errs["text"] = ErrModuleTextNeeded
		case runes(in.Text) > ModuleTextMaxRunes:
			errs["text"] = ErrModuleTextLong
		}
	}
	switch in.Kind {
	case channels.CardButton:
		text()
		validateButtons(errs, "buttons", in.Buttons)
	case channels.CardCarousel:
		if n := len(in.Cards); n < 1 || n > ModuleCardsMax {
			errs["cards"] = ErrModuleCardsCount
		}
		for i, c := range in.Cards {
			f := fmt.Sprintf("cards[%d]", i)
			if c.ImageUploadID == 0 {
				errs[f+".image_upload_id"] = ErrModuleImageNeeded
			}
			switch {
			case c.Title == "":
				errs[f+".title"] = ErrModuleTitleNeeded
			case runes(c.Title) > ModuleCardTitleMax:
				errs[f+".title"] = ErrModuleCardTitleLong
			}
			if runes(c.Subtitle) > ModuleCardTitleMax {
				errs[f+".subtitle"] = ErrModuleSubtitleLong
			}
			validateButtons(errs, f+".buttons", c.Buttons)
		}
	case channels.CardQuickReply:
		text()
		if n := len(in.Options); n < 1 || n > ModuleOptionsMax {
			errs["options"] = ErrModuleOptionsCount
		}
		for i, o := range in.Options {
			f := fmt.Sprintf("options[%d]", i)
			validateTitle(errs, f+".title", o.Title)
			if runes(o.Payload) > ModulePayloadMax {
				errs[f+".payload"] = ErrModulePayloadLong
			}
		}
	default:
		errs["kind"] = ErrModuleKind
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func validateTitle(errs FieldErrors, field, title string) {
	switch {
	case title == "":
		errs[field] = ErrModuleTitleNeeded
	case utf8.RuneCountInString(title) > ModuleButtonTitleMax:
		errs[field] = ErrModuleTitleLong
	}
}

func validateButtons(errs FieldErrors, field string, bs []ModuleButton) {
	if n := len(bs); n < 1 || n > ModuleButtonsMax {
		errs[field] = ErrModuleButtonsCount
	}
	for i, b := range bs {
		f := fmt.Sprintf("%s[%d]", field, i)
		validateTitle(errs, f+".title", b.Title)
		switch b.Type {
		case channels.ButtonURL:
			if !isWebURL(b.URL) || utf8.RuneCountInString(b.URL) > ModuleURLMax {
				errs[f+".url"] = ErrModuleURL
			}
		case channels.ButtonReply:
			if utf8.RuneCountInString(b.Payload) > ModulePayloadMax {
				errs[f+".payload"] = ErrModulePayloadLong
			}
		default:
			errs[f+".type"] = ErrModuleButtonType
		}
	}
}

func isWebURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// spec returns the stored part of a valid input.
func (in BotModuleInput) spec() CardSpec {
	return CardSpec{Text: in.Text, Buttons: in.Buttons, Cards: in.Cards, Options: in.Options}
}

// CardSpec decodes the stored content.
func (m *BotModule) CardSpec() (CardSpec, error) {
	var s CardSpec
	if err := json.Unmarshal([]byte(m.Spec), &s); err != nil {
		return s, fmt.Errorf("models: bot module %d spec: %w", m.ID, err)
	}
	return s, nil
}

// Input returns the module as the editor and the API show it.
func (m *BotModule) Input() (BotModuleInput, error) {
	s, err := m.CardSpec()
	return BotModuleInput{Name: m.Name, Kind: m.Kind, Text: s.Text, Buttons: s.Buttons, Cards: s.Cards, Options: s.Options}, err
}

// ImageResolver turns an upload id into the image platforms fetch; it
// returns an error matching ErrNotFound for an upload that is gone.
type ImageResolver func(uploadID uint) (*channels.Image, error)

// Card resolves the module into neutral content. A carousel image whose
// upload is gone is left nil (the fit checks then say image_missing);
// any other resolver error is returned.
func (m *BotModule) Card(resolveImage ImageResolver) (channels.Card, error) {
	in, err := m.Input()
	if err != nil {
		return channels.Card{}, err
	}
	return in.Card(resolveImage)
}

// Card resolves an input (a module being edited, for its live preview).
func (in BotModuleInput) Card(resolveImage ImageResolver) (channels.Card, error) {
	card := channels.Card{Kind: in.Kind, Text: in.Text, Buttons: neutralButtons(in.Buttons)}
	for i, c := range in.Cards {
		cc := channels.CarouselCard{Title: c.Title, Subtitle: c.Subtitle, Buttons: neutralButtons(c.Buttons)}
		if c.ImageUploadID != 0 && resolveImage != nil {
			img, err := resolveImage(c.ImageUploadID)
			switch {
			case errors.Is(err, ErrNotFound):
			case err != nil:
				return channels.Card{}, fmt.Errorf("models: card %d image: %w", i, err)
			default:
				cc.Image = img
			}
		}
		card.Cards = append(card.Cards, cc)
	}
	for _, o := range in.Options {
		card.Options = append(card.Options, channels.Option{Title: o.Title, Payload: o.Payload})
	}
	return card, nil
}

func neutralButtons(bs []ModuleButton) []channels.Button {
	if len(bs) == 0 {
		return nil
	}
	out := make([]channels.Button, len(bs))
	for i, b := range bs {
		out[i] = channels.Button{Title: b.Title, Type: b.Type, URL: b.URL, Payload: b.Payload}
	}
	return out
}

// ModuleFits tells, per channel kind (fit.Kinds), the problems of a
// resolved card; a kind without problems fits. A carousel card without
// its image counts as image_missing on every kind.
func ModuleFits(card channels.Card) map[string][]channels.Problem {
	out := fit.Cards(card)
	if card.Kind != channels.CardCarousel {
		return out
	}
	for i, cc := range card.Cards {
		if cc.Image != nil {
			continue
		}
		p := channels.Problem{Code: channels.ProblemImageMissing, Field: fmt.Sprintf("cards[%d].image", i)}
		for k := range out {
			if k != channels.KindWhatsApp { // no carousel there at all
				out[k] = append(out[k], p)
			}
		}
	}
	return out
}

// SaveBotModule validates and stores a module: a new one when id is 0,
// else the module id (ErrNotFound when it is gone). Invalid input gives
// FieldErrors.
func SaveBotModule(db *gorm.DB, id uint, in BotModuleInput, who Actor, now time.Time) (*BotModule, error) {
	if errs := in.Validate(); errs != nil {
		return nil, errs
	}
	spec, err := json.Marshal(in.spec())
	if err != nil {
		return nil, fmt.Errorf("models: encode bot module: %w", err)
	}
	now = now.UTC()
	if id == 0 {
		m := &BotModule{Name: in.Name, Kind: in.Kind, Spec: string(spec), CreatedBy: who.UserID, UpdatedBy: who.UserID,
			CreatedAt: now, UpdatedAt: now}
		if err := db.Create(m).Error; err != nil {
			return nil, fmt.Errorf("models: create bot module: %w", err)
		}
		return m, nil
	}
	res := db.Model(&BotModule{}).Where("id = ?", id).Updates(map[string]any{
		"name": in.Name, "kind": in.Kind, "spec": string(spec), "updated_by": who.UserID, "updated_at": now,
	})
	if res.Error != nil {
		return nil, fmt.Errorf("models: update bot module %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, ErrNotFound
	}
	return FindBotModule(db, id)
}

// FindBotModule loads a module (ErrNotFound when there is none).
func FindBotModule(db *gorm.DB, id uint) (*BotModule, error) {
	var m BotModule
	err := db.First(&m, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load bot module %d: %w", id, err)
	}
	return &m, nil
}

// ListBotModules returns every module, last changed first. The bot
// builder holds tens of modules, not thousands: no paging.
func ListBotModules(db *gorm.DB) ([]BotModule, error) {
	var out []BotModule
	if err := db.Order("updated_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list bot modules: %w", err)
	}
	return out, nil
}

// DuplicateBotModule copies module id under name (cut to the name limit;
// the caller words it, e.g. "… (copy)", in the user's language).
func DuplicateBotModule(db *gorm.DB, id uint, name string, who Actor, now time.Time) (*BotModule, error) {
	m, err := FindBotModule(db, id)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	cp := &BotModule{Name: TruncateRunes(strings.TrimSpace(name), BotModuleNameMaxRunes), Kind: m.Kind, Spec: m.Spec,
		CreatedBy: who.UserID, UpdatedBy: who.UserID, CreatedAt: now, UpdatedAt: now}
	if cp.Name == "" {
		cp.Name = m.Name
	}
	if err := db.Create(cp).Error; err != nil {
		return nil, fmt.Errorf("models: duplicate bot module %d: %w", id, err)
	}
	return cp, nil
}

// unfinishedStatuses are the broadcast states whose content may still be
// sent: a module they use must not disappear under them.
var unfinishedStatuses = []string{BroadcastDraft, BroadcastPreparing, BroadcastScheduled, BroadcastSending,
	BroadcastPaused, BroadcastMissed}

// DeleteBotModule deletes a module, refusing with ErrModuleInUse while a
// broadcast that has not finished uses it (as a bot card or as the
// module of a WhatsApp template button).
func DeleteBotModule(db *gorm.DB, id uint) error {
	return db.Transaction(func(tx *gorm.DB) error {
		n, err := modulesInUse(tx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrModuleInUse
		}
		res := tx.Delete(&BotModule{}, id)
		if res.Error != nil {
			return fmt.Errorf("models: delete bot module %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// modulesInUse counts unfinished broadcasts whose content names module
// id. Content is JSON written by encoding/json, so the reference is
// exactly `"bot_module_id":<id>` followed by "," or "}".
func modulesInUse(tx *gorm.DB, id uint) (int64, error) {
	ref := fmt.Sprintf(`%%"bot_module_id":%d`, id)
	var n int64
	err := tx.Model(&Broadcast{}).Where("status IN ? AND (content LIKE ? OR content LIKE ?)",
		unfinishedStatuses, ref+",%", ref+"}%").Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("models: bot module %d in use: %w", id, err)
	}
	return n, nil
}
