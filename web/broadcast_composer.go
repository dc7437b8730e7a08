package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/channels/messenger"
	"omnicast/channels/whatsapp"
	"omnicast/models"
	"omnicast/views"
)

// This file builds the composer's view from what was posted (or loaded)
// and renders it: the whole page, or for htmx the message list with the
// preview. The rules themselves live in models (ValidateDraft): the page
// only words their answers.

// composerState is everything a composer answer is built from.
type composerState struct {
	ch        *models.Channel
	b         *models.Broadcast // nil until the first save
	in        composerInput
	templates []models.WATemplate
	errs      []models.FieldError
	checked   *models.Checked
	notice    string
	tests     []views.TestResult
}

// loadComposerChannel finds the channel of a new broadcast from its audience.
func (s *Server) audienceChannel(id uint) (*models.Audience, *models.Channel, error) {
	a, err := models.FindAudience(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, echo.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	ch, err := models.FindChannel(s.db, a.ChannelID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, echo.ErrNotFound
	}
	return a, ch, err
}

// loadBroadcast loads :id with its channel, or answers 404.
func (s *Server) loadBroadcast(c echo.Context) (*models.Broadcast, *models.Channel, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, nil, err
	}
	b, err := models.FindBroadcast(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, echo.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	ch, err := models.FindChannel(s.db, b.ChannelID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, echo.ErrNotFound
	}
	return b, ch, err
}

// composerView builds the page's view model.
func (s *Server) composerView(c echo.Context, st composerState) (views.Composer, error) {
	loc := s.Workspace().Location()
	in := st.in
	v := views.Composer{
		Kind: st.ch.Kind, ChannelID: st.ch.ID, ChannelName: st.ch.Name, AudienceID: in.AudienceID, Version: in.Version,
		Subject: in.Subject, MessageTag: in.MessageTag, SendNow: in.SendMode != "scheduled", Date: in.Date, Time: in.Time,
		Zone: loc.String(), Tags: in.Tags, CSRF: csrfToken(c), Notice: st.notice, TestResults: st.tests,
	}
	if st.b != nil {
		v.ID, v.Status = st.b.ID, st.b.Status
		v.EditWarning, v.EditLastHour = s.editWarning(c, st.b)
	}
	if v.MessageTag == "" {
		v.MessageTag = models.TagStandard
	}
	if v.Date == "" {
		// A sensible default for 排程推送: tomorrow, 10:00 in the workspace zone.
		next := s.now().In(loc).AddDate(0, 0, 1)
		v.Date, v.Time = next.Format("2006-01-02"), "10:00"
	}
	v.TextLimit, _ = models.TextLimit(st.ch.Kind)
	v.UTF16 = st.ch.Kind == channels.KindLINE
	for _, m := range in.Messages {
		m.Count = textCount(m.Text, st.ch.Kind)
		// The thumbnail comes from the upload itself, never from the page
		// (a saved draft has none posted).
		m.Thumb = ""
		if m.Type == models.MessageImage && m.UploadID != 0 {
			if u, err := models.FindUpload(s.db, m.UploadID); err == nil {
				m.Thumb = "/media/" + u.PreviewFileName()
				m.ImageSize = fmt.Sprintf("%d × %d · %s", u.Width, u.Height, humanBytes(u.Bytes))
			} else if !errors.Is(err, models.ErrNotFound) {
				s.log.Warn("composer: find upload", "upload", m.UploadID, "err", err)
			}
		}
		v.Messages = append(v.Messages, m)
	}
	add := addButtons(in.Messages)
	v.AddText, v.AddImage, v.AddBotCard = add[0], add[1], add[2]
	var err error
	if v.AllTags, err = models.ListTagNames(s.db); err != nil {
		return v, err
	}
	if v.BotCards, err = s.botCardChoices(c, st.ch); err != nil {
		return v, err
	}
	names := map[uint]string{}
	for _, bc := range v.BotCards {
		names[bc.ID] = bc.Name
	}
	for i := range v.Messages {
		v.Messages[i].ModuleName = names[v.Messages[i].ModuleID]
	}
	if in.AudienceID != 0 {
		if a, err := models.FindAudience(s.db, in.AudienceID); err == nil {
			v.Audience = views.AudienceSummary{AllMatching: a.AllMatching, Count: a.Count}
			if a.AllMatching {
				f, _ := a.ContactFilter(loc)
				v.Audience.Conditions = describeFilter(c, f, f.Location())
			}
		}
	}
	if st.ch.Kind == channels.KindWhatsApp {
		v.Templates, v.Template = templateChoices(st.templates, in)
	}
	v.TagLock = tagLock(st.ch)
	if st.checked == nil {
		// Opened or refused without a fresh check (edit, a refused
		// confirmation): resolve the content for the preview, which marks
		// promotional phrases and draws bot cards. Its errors are not shown.
		d := st.in.draft(st.ch, st.templates, loc)
		checked, _ := models.ValidateDraft(s.db, d, models.ValidateEnv{Now: s.now(), PublicURL: s.Workspace().PublicURL})
		st.checked = &checked
	}
	v.Errors, v.ErrorList = s.wordErrors(c, st.errs)
	for _, e := range st.errs {
		v.ErrorCodes = append(v.ErrorCodes, e.Code)
		if e.Code == channels.ProblemImageNeedsHTTPS {
			v.HTTPSHelp = "ask"
			if u := currentUser(c); u != nil && u.IsAdmin() {
				v.HTTPSHelp = "admin"
			}
		}
	}
	v.Testers, err = s.testerNames(st.ch.ID)
	if err != nil {
		return v, err
	}
	v.Preview = s.preview(c, st, v)
	return v, nil
}

// wordErrors words the domain's field errors in the user's language, by
// field; several errors of one field are joined.
func (s *Server) wordErrors(c echo.Context, errs []models.FieldError) (map[string]string, []string) {
	if len(errs) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	var list []string
	for _, e := range errs {
		var args []any
		for k, val := range e.Args {
			args = append(args, k, val)
		}
		msg := t(c, e.MessageID(), args...)
		if msg == e.MessageID() {
			msg = t(c, "compose.error.unknown", "Code", e.Code)
		}
		list = append(list, msg)
		field := e.Field
		if field == "" {
			field = "form"
		}
		if prev := out[field]; prev != "" {
			msg = prev + " " + msg
		}
		out[field] = msg
	}
	return out, list
}

// sampleName is the name the preview fills in: the first contact of the
// channel, or a placeholder name from the catalogue.
func (s *Server) sampleName(c echo.Context, channelID uint) string {
	var names []string
	s.db.Model(&models.Contact{}).Where("channel_id = ? AND name <> ''", channelID).Order("id").Limit(1).Pluck("name", &names)
	if len(names) > 0 {
		return names[0]
	}
	return t(c, "compose.sample_name")
}

// preview builds the bubbles of the live preview from the form: texts
// with the sample name, images by their thumbnails, bot cards from the
// resolved content when validation resolved them.
func (s *Server) preview(c echo.Context, st composerState, v views.Composer) views.Preview {
	p := views.Preview{Kind: st.ch.Kind, SampleName: s.sampleName(c, st.ch.ID)}
	if st.checked != nil {
		p.Promo = models.PromoPhrases(st.checked.Content.Texts(), st.checked.PromoHits)
	}
	if st.ch.Kind == channels.KindWhatsApp {
		if v.Template != nil {
			p.Bubbles = append(p.Bubbles, templateBubble(v.Template, p.SampleName))
		}
		return p
	}
	flagged := len(p.Promo) > 0
	for i, m := range v.Messages {
		switch m.Type {
		case models.MessageText:
			segs := nameSegments(m.Text, p.SampleName)
			if flagged {
				segs = promoSegments(m.Text, p.SampleName)
			}
			p.Bubbles = append(p.Bubbles, views.Bubble{Kind: "text", Segments: segs})
		case models.MessageImage:
			p.Bubbles = append(p.Bubbles, views.Bubble{Kind: "image", ImageURL: m.Thumb})
		case models.MessageBotCard:
			// The module's name is staff's; recipients see its content only.
			b := views.Bubble{Kind: "card"}
			if st.checked != nil && i < len(st.checked.Content.Parts) {
				if card := st.checked.Content.Parts[i].Card; card != nil {
					// Modules are sent as written (the renderers fill no
					// name in them), so the preview shows them so too.
					b.Segments = []views.Segment{{Text: card.Text}}
					for _, bt := range card.Buttons {
						b.Buttons = append(b.Buttons, bt.Title)
					}
					for _, o := range card.Options {
						b.Buttons = append(b.Buttons, o.Title)
					}
					for _, cc := range card.Cards {
						b.Buttons = append(b.Buttons, cc.Title)
					}
				}
			}
			p.Bubbles = append(p.Bubbles, b)
		}
	}
	return p
}

// nameSegments splits a text at the name parameter, filling in name.
func nameSegments(text, name string) []views.Segment {
	var out []views.Segment
	parts := strings.Split(text, channels.NameParam)
	for i, part := range parts {
		if part != "" {
			out = append(out, views.Segment{Text: part})
		}
		if i < len(parts)-1 {
			out = append(out, views.Segment{Text: name, Name: true})
		}
	}
	return out
}

// promoSegments is nameSegments with the phrases the promotion rules
// matched marked, so staff see in the bubble what a tag forbids.
func promoSegments(text, name string) []views.Segment {
	var out []views.Segment
	pos := 0
	for _, span := range messenger.PromoSpans(messenger.CheckPromotion([]string{text}), 0) {
		out = append(out, nameSegments(text[pos:span[0]], name)...)
		for _, s := range nameSegments(text[span[0]:span[1]], name) {
			s.Mark = true
			out = append(out, s)
		}
		pos = span[1]
	}
	return append(out, nameSegments(text[pos:], name)...)
}

// namedParam matches named template parameters ({{first_name}}).
var namedParam = regexp.MustCompile(`\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}`)

// positionalParam matches positional template parameters ({{1}}).
var positionalParam = regexp.MustCompile(`\{\{\s*([0-9]+)\s*\}\}`)

// templateChoices lists the picker's templates (approved first) and the
// chosen one with its inputs, keeping what was typed.
func templateChoices(list []models.WATemplate, in composerInput) ([]views.TemplateChoice, *views.TemplateForm) {
	var out []views.TemplateChoice
	var chosen *views.TemplateForm
	for _, row := range list {
		tpl, err := parseTemplate(row)
		if err != nil {
			continue
		}
		key := row.Name + "|" + row.Language
		out = append(out, views.TemplateChoice{Key: key, Name: row.Name, Language: row.Language, Category: row.Category,
			Approved: row.Approved(), Preview: tpl.Render(nil, nil)})
		if key == in.TemplateKey {
			chosen = templateForm(row, tpl, in)
		}
	}
	// Approved first (they can be sent), each group by name as listed.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Approved && !out[j].Approved })
	return out, chosen
}

// parseTemplate reads a stored template's components.
func parseTemplate(row models.WATemplate) (*whatsapp.Template, error) {
	tpl := &whatsapp.Template{Name: row.Name, Language: row.Language, Status: row.Status, Category: row.Category}
	if err := json.Unmarshal([]byte(row.Components), &tpl.Components); err != nil {
		return nil, fmt.Errorf("web: template %s components: %w", row.Name, err)
	}
	return tpl, nil
}

// templateForm lays out the inputs of one template: header 參數1, one
// body input per {{n}} (or per named parameter), one action per
// quick-reply button.
func templateForm(row models.WATemplate, tpl *whatsapp.Template, in composerInput) *views.TemplateForm {
	f := &views.TemplateForm{Key: row.Name + "|" + row.Language, Name: row.Name, Language: row.Language, Category: row.Category}
	for _, comp := range tpl.Components {
		switch strings.ToUpper(comp.Type) {
		case whatsapp.ComponentHeader:
			if strings.EqualFold(comp.Format, "TEXT") || comp.Format == "" {
				f.HeaderText = comp.Text
				f.Header = paramInputs(comp.Text, in.Header)
			}
		case whatsapp.ComponentBody:
			f.BodyText = comp.Text
			f.Body = paramInputs(comp.Text, in.Body)
		case whatsapp.ComponentFooter:
			f.Footer = comp.Text
		case whatsapp.ComponentButtons:
			for _, b := range comp.Buttons {
				f.ButtonTitles = append(f.ButtonTitles, b.Text)
			}
		}
	}
	for i, qr := range tpl.QuickReplyButtons() {
		b := views.ButtonInput{Title: qr.Text, Action: channels.ActionNone}
		if i < len(in.Buttons) {
			b.Action, b.ModuleID = in.Buttons[i].Action, in.Buttons[i].ModuleID
		}
		f.Buttons = append(f.Buttons, b)
	}
	return f
}

// paramInputs lists a text's parameters in order ({{1}}…{{n}}, or the
// named ones as they appear), filled with what was posted.
func paramInputs(text string, posted []views.ParamInput) []views.ParamInput {
	var out []views.ParamInput
	n := 0
	for _, m := range positionalParam.FindAllStringSubmatch(text, -1) {
		var k int
		fmt.Sscan(m[1], &k)
		if k > n {
			n = k
		}
	}
	for i := 0; i < n; i++ {
		out = append(out, views.ParamInput{Label: fmt.Sprintf("{{%d}}", i+1)})
	}
	if n == 0 {
		seen := map[string]bool{}
		for _, m := range namedParam.FindAllStringSubmatch(text, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, views.ParamInput{Label: "{{" + m[1] + "}}", Name: m[1]})
			}
		}
	}
	for i := range out {
		if i < len(posted) {
			out[i].Text, out[i].ContactName = posted[i].Text, posted[i].ContactName
		}
	}
	return out
}

// templateBubble is the WhatsApp preview: the template filled in.
func templateBubble(f *views.TemplateForm, name string) views.Bubble {
	fill := func(text string, params []views.ParamInput) string {
		for _, p := range params {
			val := p.Text
			if p.ContactName {
				val = name
			}
			if val == "" {
				continue
			}
			text = strings.ReplaceAll(text, p.Label, val)
		}
		return text
	}
	b := views.Bubble{Kind: "template", Title: fill(f.HeaderText, f.Header), Footer: f.Footer}
	b.Segments = []views.Segment{{Text: fill(f.BodyText, f.Body)}}
	b.Buttons = append(b.Buttons, f.ButtonTitles...)
	return b
}

// renderComposer answers with the composer: the whole page, or for htmx
// (hx-target #composer-body) the message list and the preview.
func (s *Server) renderComposer(c echo.Context, status int, st composerState) error {
	v, err := s.composerView(c, st)
	if err != nil {
		return err
	}
	if isHTMX(c) && c.Request().Header.Get("HX-Target") == "composer-messages" {
		return s.render(c, status, views.ComposerMessagesFragment(v, true))
	}
	if isHTMX(c) && c.Request().Header.Get("HX-Target") == "composer-preview" {
		return s.render(c, status, views.ComposerPreview(v.Preview))
	}
	title := "compose.title"
	if st.b != nil {
		title = "compose.edit_title"
	}
	return s.render(c, status, views.ComposerPage(s.page(c, title, "broadcasts"), v))
}

// humanBytes words a file size (KB below a megabyte, else MB).
func humanBytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", max((n+512)>>10, 1))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// editWarning is, for a scheduled broadcast, the recommendation to edit
// at least an hour before its time, or the warning within the last hour
// (the edit is still allowed); empty otherwise.
func (s *Server) editWarning(c echo.Context, b *models.Broadcast) (string, bool) {
	if b.Status != models.BroadcastScheduled || b.ScheduledAt == nil {
		return "", false
	}
	if b.ScheduledAt.Sub(s.now()) < time.Hour {
		return t(c, "report.edit_last_hour"), true
	}
	return t(c, "report.edit_hour_ahead"), false
}
