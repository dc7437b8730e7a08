package views

import "strings"

// Composer is the broadcast composer (Messenger, LINE, WhatsApp): what was
// typed, re-rendered as is on every answer, with the errors beside their
// fields. Errors map the API's field names (subject, messages[2].text,
// template.body_params[0], scheduled_at …) to messages already worded in
// the user's language.
type Composer struct {
	// ID is 0 until the first save; Version is the version the form was
	// loaded on (optimistic locking).
	ID          uint
	Version     int
	Status      string
	Kind        string
	ChannelID   uint
	ChannelName string
	AudienceID  uint
	Audience    AudienceSummary

	Subject    string
	MessageTag string
	SendNow    bool
	// Date and time in the workspace zone (Zone), as the inputs hold them.
	Date string
	Time string
	Zone string
	Tags string

	Messages []ComposerMessage
	// Add is the state of the three add buttons (exclusivity rules).
	AddText, AddImage, AddBotCard AddButton
	BotCards                      []BotCardChoice
	// TextLimit is the channel's text limit; UTF16 says LINE counts in
	// UTF-16 units.
	TextLimit int
	UTF16     bool

	// WhatsApp.
	Templates []TemplateChoice
	Template  *TemplateForm

	AllTags []string
	Errors  map[string]string
	// ErrorList is every error in order, for the summary at the top (an
	// error whose field has no input of its own is never hidden).
	ErrorList []string
	// ErrorCodes are the stable codes of ErrorList, in the same order
	// (the API's error codes: promotional_content, tag_broadcast_locked …).
	ErrorCodes []string
	// Notice is a form-wide message (already worded), e.g. a stale save.
	Notice string
	// EditWarning, for a scheduled broadcast, recommends editing at least
	// an hour ahead, or warns within the last hour (already worded).
	EditWarning string
	// EditLastHour tells the warning is the last hour's.
	EditLastHour bool
	// HTTPSHelp is set when an image was refused for want of an https
	// public URL: "admin" links to Settings, "ask" says to ask an admin.
	HTTPSHelp string
	// TagLock is the channel's tagged-broadcast lock, shown in the composer.
	TagLock *TagLockInfo
	Preview Preview
	// Testers on the channel's test list (up to 5 get a test send).
	Testers     []string
	TestResults []TestResult
	CSRF        string
}

// AudienceSummary says who the broadcast goes to.
type AudienceSummary struct {
	AllMatching bool
	Conditions  []string
	Count       int64
}

// ComposerMessage is one of the 1–5 messages.
type ComposerMessage struct {
	Type     string // text | image | bot_card
	Text     string
	UploadID uint
	// Thumb is the image's preview URL (a local /media/ path only).
	Thumb string
	// ImageSize describes a chosen image ("640 × 360 · 120 KB").
	ImageSize string
	ModuleID  uint
	// ModuleName names the chosen bot module.
	ModuleName string
	// Count is the text's length as the channel counts it.
	Count int
}

// AddButton is one add button: refused with a reason (catalogue id).
type AddButton struct {
	Disabled bool
	Reason   string
}

// BotCardChoice is a bot module the composer offers; one that does not
// fit the channel is shown disabled with why (already worded).
type BotCardChoice struct {
	ID      uint
	Name    string
	Kind    string
	Fits    bool
	Reasons []string
}

// TagLockInfo describes a locked channel: why (catalogue id), the
// offending text with the promotional phrases marked, and the channel
// page where an admin can lift it.
type TagLockInfo struct {
	Reason string
	Text   []TextSegment
	Href   string
}

// TemplateChoice is one template of the WhatsApp picker.
type TemplateChoice struct {
	Key      string // name|language
	Name     string
	Language string
	Category string
	Approved bool
	Preview  string
}

// TemplateForm is the chosen template with its inputs.
type TemplateForm struct {
	Key        string
	Name       string
	Language   string
	Category   string
	HeaderText string
	Header     []ParamInput
	BodyText   string
	Body       []ParamInput
	Footer     string
	Buttons    []ButtonInput
	// ButtonTitles are all the template's buttons (links and phone
	// numbers too), in order, as the preview shows them.
	ButtonTitles []string
}

// ParamInput is one header or body parameter.
type ParamInput struct {
	Label       string // "{{1}}" or "{{first_name}}"
	Name        string // named parameter, "" for positional
	Text        string
	ContactName bool
}

// ButtonInput is one quick-reply button's action.
type ButtonInput struct {
	Title    string
	Action   string
	ModuleID uint
}

// Preview is the live preview: the channel's bubbles with a sample name.
type Preview struct {
	Kind       string
	SampleName string
	Bubbles    []Bubble
	// Promo lists promotional phrases found under a tag (highlighted).
	Promo []string
}

// Bubble is one chat bubble of the preview.
type Bubble struct {
	Kind     string // text | image | card | template
	Segments []Segment
	ImageURL string
	Title    string
	Buttons  []string
	Footer   string
}

// Segment is a piece of bubble text; Mark highlights a promotional phrase,
// Name the filled-in contact name.
type Segment struct {
	Text string
	Mark bool
	Name bool
}

// TestResult is the outcome of one test send.
type TestResult struct {
	Name  string
	OK    bool
	Error string
}

// ConfirmPage is the confirmation (下一步): the honest numbers.
type ConfirmPage struct {
	ID          uint
	Version     int
	Kind        string
	ChannelName string
	Subject     string
	// MessageTag is the Messenger message tag (standard, account_update …).
	MessageTag string
	// The WhatsApp template (its category sets the platform's price).
	TemplateName, TemplateLanguage, TemplateCategory string
	SendNow                                          bool
	When                                             string
	Audience                                         int64
	Sendable                                         int64
	Skipped                                          []SkipCount
	// LINE quota: Needed against Remaining (nil: unknown).
	ShowQuota     bool
	QuotaNeeded   int64
	QuotaRemain   *int64
	QuotaExceeded bool
	Multicast     bool
	Estimated     string
	EditHref      string
	Errors        []string
	// PromoWarning (worded) says the content promotes under a message tag:
	// confirming is refused and locks the Page's tagged broadcasts.
	PromoWarning string
	// Preview is the content as the composer's preview draws it.
	Preview Preview
	CSRF    string
	// Progress of the freeze after confirming.
	Status string
	Frozen int64
	// DBWaitSince (a time of day) says that sending waits for the
	// database since then; "" when it does not.
	DBWaitSince string
}

// SkipCount is one reason people are skipped.
type SkipCount struct {
	Reason string
	Count  int64
}

// codeAt is the code of the i-th error of the summary ("" when unknown).
func codeAt(codes []string, i int) string {
	if i < len(codes) {
		return codes[i]
	}
	return ""
}

// templateTopError is what the template section says above its inputs:
// the template's own errors, and those of a part (header, body, buttons)
// the chosen template shows no inputs for (a part's errors are otherwise
// beside its inputs).
func templateTopError(v Composer) string {
	parts := []string{v.Errors["template"], v.Errors["template.name"]}
	t := v.Template
	if t == nil || len(t.Header) == 0 {
		parts = append(parts, v.Errors["template.header_params"])
	}
	if t == nil || len(t.Body) == 0 {
		parts = append(parts, v.Errors["template.body_params"])
	}
	if t == nil || len(t.Buttons) == 0 {
		parts = append(parts, v.Errors["template.buttons"])
	}
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
