package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/fit"
	"omnicast/channels/messenger"
	"omnicast/channels/whatsapp"
)

// PromoHit is one promotional phrase found in a text (the composer
// highlights it).
type PromoHit = messenger.PromoHit

// FieldError is one reason a draft cannot be sent, where it is. Field
// uses the JSON API's names (subject, messages[2].text,
// template.body_params[0], scheduled_at, message_tag, audience,
// apply_tags, channel_id); Code is a stable snake_case word, the API's
// error code, worded by the catalogue key MessageID gives; Args fill the
// message (limits, counts).
type FieldError struct {
	Field string         `json:"field"`
	Code  string         `json:"code"`
	Args  map[string]any `json:"args,omitempty"`
}

// MessageID is the catalogue key that words the error: compose.error.<code>,
// or fit.<code> for a platform limit found by the channel's fit check.
func (e FieldError) MessageID() string {
	if fromFit, _ := e.Args["fit"].(bool); fromFit {
		return "fit." + e.Code
	}
	return "compose.error." + e.Code
}

// ValidateEnv is what validation needs besides the draft.
type ValidateEnv struct {
	Now time.Time
	// PublicURL is where platforms fetch uploaded images
	// (OMNICAST_PUBLIC_URL).
	PublicURL string
	// Confirming: the draft is being confirmed (the composer's 立即發送 /
	// 排程, or an API create that is not a dry run). Promotional content
	// under a message tag then also locks the channel's tagged
	// broadcasting.
	Confirming bool
	// Who confirms: the lock a promotional confirmation sets is audited
	// as theirs.
	Who Actor
}

// Checked is what validation resolved: the channel, the content as the
// platforms will get it (uploads turned into images, modules into
// cards), the WhatsApp template, and the promotional phrases found (for
// the composer to highlight), which refuse a tagged broadcast.
type Checked struct {
	Channel     *Channel
	Content     channels.Content
	Template    *WATemplate
	PromoHits   []PromoHit
	Promotional bool
	// Locked: this validation locked the channel's tagged broadcasting.
	Locked bool
}

// Composer limits (CHANNELS.md).
const (
	LINETextMaxUnits      = 5000 // UTF-16 code units
	MessengerTextMaxRunes = 2000
	// WhatsApp refuses a parameter with a newline or tab, or more than
	// four spaces in a row (error 132018).
	waParamMaxSpaces = 4
	// waBodyMaxRunes is the longest filled template body Meta accepts.
	waBodyMaxRunes = 1024
)

// TextLimit is the longest text message of a channel kind, and how the
// platform counts: the composer's counter shows the same figure.
func TextLimit(kind string) (limit int, count func(string) int) {
	if kind == channels.KindLINE {
		return LINETextMaxUnits, channels.UTF16Len
	}
	return MessengerTextMaxRunes, channels.Runes
}

// ValidateDraft judges a draft against every rule of the composer, the
// same for the web form and the JSON API: a draft that passes may be
// confirmed. It reads the database (channel, audience, uploads, bot
// modules, templates) and writes only when env.Confirming finds
// promotional content under a message tag: then the channel's tagged
// broadcasting is locked (audited), as the reference product does to
// protect the Page. err-free problems are FieldErrors; a failing
// database is reported as a field error on "channel_id" with code
// "unavailable" (logged by the caller through the returned list).
func ValidateDraft(db *gorm.DB, d Draft, env ValidateEnv) (Checked, []FieldError) {
	d = d.normalized()
	v := &validation{db: db, env: env, d: d}
	v.run()
	return v.checked, v.errs
}

type validation struct {
	db      *gorm.DB
	env     ValidateEnv
	d       Draft
	checked Checked
	errs    []FieldError
}

func (v *validation) add(field, code string, args map[string]any) {
	v.errs = append(v.errs, FieldError{Field: field, Code: code, Args: args})
}

func (v *validation) has(field string) bool {
	return slices.ContainsFunc(v.errs, func(e FieldError) bool { return e.Field == field })
}

// unavailable records a database failure: nothing can be judged.
func (v *validation) unavailable(err error) {
	v.add("channel_id", "unavailable", map[string]any{"detail": err.Error()})
}

func (v *validation) run() {
	ch, err := FindChannel(v.db, v.d.ChannelID)
	switch {
	case errors.Is(err, ErrNotFound):
		v.add("channel_id", "channel_not_found", nil)
		return
	case err != nil:
		v.unavailable(err)
		return
	}
	v.checked.Channel = ch
	if !ch.CanBroadcast() {
		v.add("channel_id", "instagram_not_supported", nil)
		return
	}
	v.subject()
	v.messageTag(ch)
	v.schedule()
	v.applyTags()
	if _, ferrs, err := resolveAudience(v.db, ch.ID, v.d.Audience, v.d.audienceZone); err != nil {
		v.unavailable(err)
	} else {
		v.errs = append(v.errs, ferrs...)
	}
	if ch.Kind == channels.KindWhatsApp {
		v.template(ch)
	} else {
		v.messages(ch)
	}
	v.promotion(ch)
}

func (v *validation) subject() {
	switch n := utf8.RuneCountInString(v.d.Subject); {
	case n == 0:
		v.add("subject", "subject_required", nil)
	case n > MaxSubjectRunes:
		v.add("subject", "subject_too_long", map[string]any{"max": MaxSubjectRunes, "got": n})
	}
}

// messageTag: Messenger broadcasts carry one of the four choices (none
// given means standard); other channels have none. Tagged broadcasting
// may be locked on the channel.
func (v *validation) messageTag(ch *Channel) {
	tag := v.d.MessageTag
	if ch.Kind != channels.KindMessenger {
		if tag != "" {
			v.add("message_tag", "message_tag_not_allowed", nil)
		}
		return
	}
	if tag != "" && !slices.Contains(MessageTags(), tag) {
		v.add("message_tag", "message_tag_invalid", nil)
		return
	}
	if errors.Is(CheckTagLock(ch, tag), ErrTagBroadcastLocked) {
		v.add("message_tag", "tag_broadcast_locked", map[string]any{"reason": ch.TagLockReason})
	}
}

func (v *validation) schedule() {
	if v.d.SendNow {
		return
	}
	switch at := v.d.ScheduledAt; {
	case at == nil:
		v.add("scheduled_at", "scheduled_at_required", nil)
	case !at.After(v.env.Now):
		v.add("scheduled_at", "scheduled_at_past", nil)
	}
}

func (v *validation) applyTags() {
	if len(v.d.ApplyTags) > MaxApplyTags {
		v.add("apply_tags", "apply_tags_too_many", map[string]any{"max": MaxApplyTags})
		return
	}
	for i, t := range v.d.ApplyTags {
		if _, err := NormalizeTagName(t); err != nil {
			v.add(fmt.Sprintf("apply_tags[%d]", i), "tag_name_invalid", map[string]any{"max": TagNameMaxRunes})
		}
	}
}

// messages checks the 1–5 messages of a Messenger or LINE broadcast and
// resolves them into the content the platform gets.
func (v *validation) messages(ch *Channel) {
	msgs := v.d.Content.Messages
	if v.d.Content.Template != nil {
		v.add("template", "template_not_allowed", nil)
	}
	switch {
	case len(msgs) == 0:
		v.add("messages", "messages_required", nil)
		return
	case len(msgs) > channels.MaxParts:
		v.add("messages", "messages_too_many", map[string]any{"max": channels.MaxParts, "got": len(msgs)})
	}
	cards := 0
	for _, m := range msgs {
		if m.Type == MessageBotCard {
			cards++
		}
	}
	limit, count := TextLimit(ch.Kind)
	parts := make([]channels.Part, 0, len(msgs))
	for i, m := range msgs {
		field := fmt.Sprintf("messages[%d]", i)
		part := channels.Part{Kind: m.Type}
		switch m.Type {
		case MessageText:
			switch n := count(m.Text); {
			case strings.TrimSpace(m.Text) == "":
				v.add(field+".text", "text_required", nil)
			case n > limit:
				v.add(field+".text", "text_too_long", map[string]any{"max": limit, "got": n})
			case HasNUL(m.Text) || !utf8.ValidString(m.Text):
				v.add(field+".text", "text_invalid", nil)
			}
			part.Text = m.Text
		case MessageImage:
			part.Image = v.image(ch, field, m.UploadID)
		case MessageBotCard:
			if cards > 1 || len(msgs) > 1 {
				v.add(field, "bot_card_alone", nil)
			}
			part.Card = v.botCard(field+".bot_module_id", m.BotModuleID)
			part.ModuleID = m.BotModuleID
		default:
			v.add(field+".type", "message_type_invalid", nil)
		}
		parts = append(parts, part)
	}
	v.checked.Content = channels.Content{Parts: parts}
	for _, p := range contentFit(ch.Kind, v.checked.Content) {
		v.fitProblem(p)
	}
}

// contentFit is the channel's fit check of the content (fit.Content),
// plus what only a module knows: a carousel image whose upload is gone
// (ModuleFits).
func contentFit(kind string, c channels.Content) []channels.Problem {
	problems := fit.Content(kind, c)
	for i, p := range c.Parts {
		if p.Card == nil {
			continue
		}
		for _, mp := range ModuleFits(*p.Card)[kind] {
			if mp.Code == channels.ProblemImageMissing {
				problems = append(problems, channels.Prefixed(fmt.Sprintf("parts[%d].card", i), []channels.Problem{mp})...)
			}
		}
	}
	return problems
}

// fitProblem records a platform limit found by the channel's fit check,
// under the API's field name, unless that field is already reported.
func (v *validation) fitProblem(p channels.Problem) {
	field := p.Field
	if rest, ok := strings.CutPrefix(field, "parts"); ok {
		field = "messages" + rest
	}
	args := map[string]any{"fit": true}
	if i := strings.Index(field, "].card"); i >= 0 {
		// A module's own limits: reported on the module picked, with the
		// place inside it.
		args["path"] = field[i+2:]
		field = field[:i+1] + ".bot_module_id"
	} else if i := strings.Index(field, "].image"); i >= 0 {
		// An image's type or size: reported on the upload picked.
		field = field[:i+1] + ".upload_id"
	} else if p.Code == channels.ProblemPartKind && strings.HasSuffix(field, "]") {
		field += ".type"
	}
	if v.has(field) {
		return
	}
	v.add(field, p.Code, fitArgs(args, p))
}

// fitArgs fills a platform limit's figures: Limit and Got as the fit.*
// catalogue words them, limit/max/got as the compose.error.* ones do.
func fitArgs(args map[string]any, p channels.Problem) map[string]any {
	if p.Limit != 0 {
		args["limit"], args["max"], args["Limit"] = p.Limit, p.Limit, p.Limit
	}
	if p.Got != 0 {
		args["got"], args["Got"] = p.Got, p.Got
	}
	return args
}

// image resolves an upload into the image platforms fetch, checking that
// they can fetch it (https, except loopback for the simulator).
func (v *validation) image(ch *Channel, field string, uploadID uint) *channels.Image {
	if uploadID == 0 {
		v.add(field+".upload_id", "image_required", nil)
		return nil
	}
	up, err := FindUpload(v.db, uploadID)
	switch {
	case errors.Is(err, ErrNotFound):
		v.add(field+".upload_id", "upload_not_found", nil)
		return nil
	case err != nil:
		v.unavailable(err)
		return nil
	}
	if p := channels.ImageFetchProblem(v.env.PublicURL, ch.BaseURL()); p != nil {
		v.add(field+".upload_id", p.Code, map[string]any{"public_url": v.env.PublicURL})
	}
	img := up.Image(v.env.PublicURL)
	return &img
}

// botCard resolves a bot module into its card.
func (v *validation) botCard(field string, moduleID uint) *channels.Card {
	if moduleID == 0 {
		v.add(field, "bot_module_required", nil)
		return nil
	}
	m, err := FindBotModule(v.db, moduleID)
	switch {
	case errors.Is(err, ErrNotFound):
		v.add(field, "bot_module_not_found", nil)
		return nil
	case err != nil:
		v.unavailable(err)
		return nil
	}
	card, err := m.Card(v.uploadImage)
	if err != nil {
		v.unavailable(err)
		return nil
	}
	if cardHasImage(card) {
		if p := channels.ImageFetchProblem(v.env.PublicURL, v.checked.Channel.BaseURL()); p != nil {
			v.add(field, p.Code, map[string]any{"public_url": v.env.PublicURL})
		}
	}
	return &card
}

// uploadImage resolves a module's carousel image (ImageResolver).
func (v *validation) uploadImage(uploadID uint) (*channels.Image, error) {
	up, err := FindUpload(v.db, uploadID)
	if err != nil {
		return nil, err
	}
	img := up.Image(v.env.PublicURL)
	return &img, nil
}

func cardHasImage(card channels.Card) bool {
	return slices.ContainsFunc(card.Cards, func(cc channels.CarouselCard) bool { return cc.Image != nil })
}

// namedPlaceholder matches named template parameters ({{first_name}}).
var namedPlaceholder = regexp.MustCompile(`\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}`)

// template checks a WhatsApp broadcast: an APPROVED template of this
// number, every parameter filled (positional {{n}} or named), and an
// action per quick-reply button.
func (v *validation) template(ch *Channel) {
	if len(v.d.Content.Messages) > 0 {
		v.add("messages", "messages_not_allowed", nil)
	}
	spec := v.d.Content.Template
	if spec == nil || strings.TrimSpace(spec.Name) == "" {
		v.add("template", "template_required", nil)
		return
	}
	var row WATemplate
	err := v.db.Where("channel_id = ? AND name = ? AND language = ?", ch.ID, spec.Name, spec.Language).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		v.add("template.name", "template_not_found", map[string]any{"name": spec.Name, "language": spec.Language})
		return
	case err != nil:
		v.unavailable(err)
		return
	}
	v.checked.Template = &row
	if !row.Approved() {
		v.add("template.name", "template_not_approved", map[string]any{"status": row.Status})
	}
	tpl, err := ParseWATemplate(row)
	if err != nil {
		v.add("template.name", "template_unreadable", nil)
		return
	}
	fill := &channels.TemplateFill{Name: row.Name, Language: row.Language}
	switch f := tpl.HeaderFormat(); f {
	case "", "TEXT":
		fill.Header = v.params("template.header_params", headerText(tpl), spec.HeaderParams)
	default:
		v.add("template.header_params", "template_header_unsupported", map[string]any{"format": f})
	}
	fill.Body = v.params("template.body_params", componentText(tpl, whatsapp.ComponentBody), spec.BodyParams)
	if body := componentText(tpl, whatsapp.ComponentBody); !v.has("template.body_params") {
		if n := utf8.RuneCountInString(filledPreview(body, fill.Body)); n > waBodyMaxRunes {
			v.add("template.body_params", "template_body_too_long", map[string]any{"max": waBodyMaxRunes, "got": n})
		}
	}
	fill.Buttons = v.buttons(tpl, spec.Buttons)
	v.urlButtons(tpl)
	v.checked.Content = channels.Content{Template: fill}
}

// params checks the parameters given for one component's text: as many
// as its {{n}}, or one per {{name}} (by name).
func (v *validation) params(field, text string, given []ParamSpec) []channels.TemplateParam {
	positional := maxPositional(text)
	named := whatsapp.NamedParams(text)
	want := positional
	if len(named) > 0 {
		want = len(named)
	}
	if len(given) != want {
		v.add(field, "template_param_count", map[string]any{"want": want, "got": len(given)})
		return nil
	}
	out := make([]channels.TemplateParam, len(given))
	for i, p := range given {
		f := fmt.Sprintf("%s[%d]", field, i)
		out[i] = channels.TemplateParam{Name: p.Name, Text: p.Text, ContactName: p.ContactName}
		if len(named) > 0 {
			if !slices.Contains(named, p.Name) {
				v.add(f, "template_param_unknown", map[string]any{"name": p.Name})
				continue
			}
			if slices.IndexFunc(given[:i], func(q ParamSpec) bool { return q.Name == p.Name }) >= 0 {
				v.add(f, "template_param_twice", map[string]any{"name": p.Name})
				continue
			}
		}
		if p.ContactName {
			out[i].Text = ""
			continue
		}
		switch {
		case strings.TrimSpace(p.Text) == "":
			v.add(f, "template_param_required", nil)
		case strings.ContainsAny(p.Text, "\n\t") || strings.Contains(p.Text, strings.Repeat(" ", waParamMaxSpaces+1)):
			v.add(f, "template_param_invalid", nil)
		}
	}
	return out
}

// buttons checks one action per quick-reply button (none given: no
// action on any), and resolves bot modules, which must fit WhatsApp's
// interactive messages.
func (v *validation) buttons(tpl *whatsapp.Template, given []ButtonSpec) []channels.ButtonAction {
	qr := tpl.QuickReplyButtons()
	if len(given) == 0 {
		given = make([]ButtonSpec, len(qr))
		for i := range given {
			given[i].Action = channels.ActionNone
		}
	}
	if len(given) != len(qr) {
		v.add("template.buttons", "template_button_count", map[string]any{"want": len(qr), "got": len(given)})
		return nil
	}
	out := make([]channels.ButtonAction, len(given))
	for i, b := range given {
		f := fmt.Sprintf("template.buttons[%d]", i)
		if b.Action == "" {
			b.Action = channels.ActionNone
		}
		out[i] = channels.ButtonAction{Action: b.Action}
		switch b.Action {
		case channels.ActionNone, channels.ActionSubscribe, channels.ActionUnsubscribe:
		case channels.ActionBot:
			out[i].ModuleID = b.BotModuleID
			if card := v.botCard(f+".bot_module_id", b.BotModuleID); card != nil {
				for _, p := range ModuleFits(*card)[channels.KindWhatsApp] {
					v.add(f+".bot_module_id", p.Code, fitArgs(map[string]any{"fit": true}, p))
					break
				}
			}
		default:
			v.add(f+".action", "button_action_invalid", nil)
		}
	}
	return out
}

// urlButtons refuses a template whose URL button ends in a parameter
// ({{1}}): the send would need a value for it, which neither the composer
// nor the API takes yet, and WhatsApp refuses the message without one.
func (v *validation) urlButtons(tpl *whatsapp.Template) {
	for _, c := range tpl.Components {
		if !strings.EqualFold(c.Type, whatsapp.ComponentButtons) {
			continue
		}
		for _, b := range c.Buttons {
			if strings.EqualFold(b.Type, whatsapp.ButtonURL) && strings.Contains(b.URL, "{{") {
				v.add("template.buttons", "template_url_param_unsupported", map[string]any{"button": b.Text})
				return
			}
		}
	}
}

// promotion checks a tagged Messenger broadcast for promotional content:
// while composing it is flagged; when confirming it is refused and locks
// the channel's tagged broadcasting (the lock then refuses every tagged
// broadcast, standard messages still go).
func (v *validation) promotion(ch *Channel) {
	if ch.Kind != channels.KindMessenger || !IsTagged(v.d.MessageTag) {
		return
	}
	texts := v.checked.Content.Texts()
	hits := messenger.CheckPromotion(texts)
	promotional := messenger.IsPromotional(hits)
	v.checked.PromoHits, v.checked.Promotional = hits, promotional
	if !promotional {
		return
	}
	v.add("messages", "promotional_content", map[string]any{"phrases": strings.Join(PromoPhrases(texts, hits), "、")})
	if !v.env.Confirming || ch.TagBroadcastLocked {
		return
	}
	if err := LockTaggedBroadcasts(v.db, ch.ID, LockPromotional, offendingText(texts, hits), v.env.Who, v.env.Now); err != nil {
		v.unavailable(err)
		return
	}
	v.checked.Locked = true
}

// PromoPhrases are the promotional phrases as staff read them: the hits
// of each text merged where they overlap (現在下單 and 下單享 and 9 折 are
// one phrase, 現在下單享 9 折), each phrase once, in text order.
func PromoPhrases(texts []string, hits []PromoHit) []string {
	var out []string
	for i, text := range texts {
		for _, span := range messenger.PromoSpans(hits, i) {
			if p := strings.TrimSpace(text[span[0]:span[1]]); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// offendingText is the text the admin reviews on the locked channel: the
// one holding the strongest phrase (the first of them).
func offendingText(texts []string, hits []PromoHit) string {
	best := -1
	for i, h := range hits {
		if h.Text < len(texts) && (best < 0 || h.Severity > hits[best].Severity) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return texts[hits[best].Text]
}

// ParseWATemplate reads a stored template as the platform described it.
func ParseWATemplate(row WATemplate) (*whatsapp.Template, error) {
	t := &whatsapp.Template{ID: row.ExternalID, Name: row.Name, Language: row.Language, Status: row.Status, Category: row.Category}
	if err := json.Unmarshal([]byte(row.Components), &t.Components); err != nil {
		return nil, fmt.Errorf("models: template %d components: %w", row.ID, err)
	}
	return t, nil
}

func componentText(t *whatsapp.Template, typ string) string {
	for _, c := range t.Components {
		if strings.EqualFold(c.Type, typ) {
			return c.Text
		}
	}
	return ""
}

func headerText(t *whatsapp.Template) string {
	if f := t.HeaderFormat(); f == "TEXT" {
		return componentText(t, whatsapp.ComponentHeader)
	}
	return ""
}

var positionalPlaceholder = regexp.MustCompile(`\{\{\s*([0-9]+)\s*\}\}`)

func maxPositional(text string) int {
	n := 0
	for _, m := range positionalPlaceholder.FindAllStringSubmatch(text, -1) {
		if k, err := strconv.Atoi(m[1]); err == nil && k > n {
			n = k
		}
	}
	return n
}

// filledPreview fills a text with its parameters (a contact's name
// counted as the longest name we store is not known: its placeholder
// text stands in).
func filledPreview(text string, params []channels.TemplateParam) string {
	byName := map[string]string{}
	for i, p := range params {
		val := p.Text
		if p.ContactName {
			val = channels.NameParam
		}
		byName[strconv.Itoa(i+1)] = val
		if p.Name != "" {
			byName[p.Name] = val
		}
	}
	repl := func(re *regexp.Regexp) func(string) string {
		return func(m string) string {
			if val, ok := byName[re.FindStringSubmatch(m)[1]]; ok {
				return val
			}
			return m
		}
	}
	text = positionalPlaceholder.ReplaceAllStringFunc(text, repl(positionalPlaceholder))
	return namedPlaceholder.ReplaceAllStringFunc(text, repl(namedPlaceholder))
}
