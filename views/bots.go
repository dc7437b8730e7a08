package views

// BotsPageData is the bot builder's list (自助設計機器人).
type BotsPageData struct {
	Modules []BotRow
	CSS     string // the bot builder's stylesheet URL
}

// BotRow is one module of the list.
type BotRow struct {
	ID      uint
	Name    string
	Kind    string // channels.Card* kind
	Updated string
	Fits    []BotFit
}

// BotFit says whether a module fits one channel kind, and why not.
type BotFit struct {
	Kind     string // channels.Kind*
	Fits     bool
	Problems []Problem
}

// Problem is one fit problem worded by the catalogue: ID is "fit.<code>",
// Args fill its template (Limit, Got); Field is where it is.
type Problem struct {
	ID    string
	Args  []any
	Field string
}

// BotForm is the module editor, re-rendered with what was typed.
type BotForm struct {
	ID      uint // 0 while creating
	Kind    string
	Name    string
	Text    string
	Buttons []BotButtonForm
	Cards   []BotCardForm
	Options []BotOptionForm
	Errors  FormErrors
	Preview BotPreview
	CSS     string
}

// Editing tells whether the form edits a stored module.
func (f BotForm) Editing() bool { return f.ID != 0 }

// BotButtonForm is one button row.
type BotButtonForm struct {
	Title, Type, URL, Payload string
}

// BotCardForm is one carousel card.
type BotCardForm struct {
	ImageUploadID string
	ImageURL      string // the picture, when the upload is found
	Title         string
	Subtitle      string
	Buttons       []BotButtonForm
}

// BotOptionForm is one quick-reply option.
type BotOptionForm struct {
	Title, Payload string
}

// BotPreview is the live preview: the card as LINE and Messenger show it,
// and the fit per channel.
type BotPreview struct {
	Kind    string
	Text    string
	Buttons []BotButtonForm
	Cards   []BotCardForm
	Options []BotOptionForm
	Fits    []BotFit
}
