package models_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// composeNow is the moment the composer tests validate at.
var composeNow = time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)

// composeWorld is one database with a channel of each kind, a few
// contacts on each and the WhatsApp number's templates.
type composeWorld struct {
	db                         *gorm.DB
	line, messenger, wa, insta *models.Channel
	lineAudience, msgrAudience uint
	waAudience                 uint
	lineContacts, msgrContacts []models.Contact
	// upload is a stored PNG; realLine a LINE channel on LINE's own host.
	upload   uint
	realLine *models.Channel
}

func newChannel(t testing.TB, db *gorm.DB, kind, name string) *models.Channel {
	t.Helper()
	ch := &models.Channel{Kind: kind, Name: name, ExternalID: "x-" + name, Credentials: []byte{}, APIBaseURL: "http://127.0.0.1:9"}
	if err := db.Create(ch).Error; err != nil {
		t.Fatalf("create channel: %v", err)
	}
	return ch
}

// explicitAudience saves a selection of the given contacts.
func explicitAudience(t testing.TB, db *gorm.DB, ch *models.Channel, cs []models.Contact) uint {
	t.Helper()
	ids := make([]uint64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	a, err := models.SaveAudience(db, models.ContactFilter{ChannelID: ch.ID}, ids, false, 1, composeNow)
	if err != nil {
		t.Fatalf("save audience: %v", err)
	}
	return a.ID
}

func waTemplate(t testing.TB, db *gorm.DB, ch *models.Channel, name, status, components string) {
	t.Helper()
	row := models.WATemplate{ChannelID: ch.ID, Name: name, Language: "zh_TW", Status: status, Category: "UTILITY", Components: components, SyncedAt: composeNow}
	if err := db.Create(&row).Error; err != nil {
		t.Fatalf("create template: %v", err)
	}
}

func newComposeWorld(t testing.TB, db *gorm.DB) *composeWorld {
	t.Helper()
	w := &composeWorld{db: db}
	w.line = newChannel(t, db, channels.KindLINE, "line")
	w.messenger = newChannel(t, db, channels.KindMessenger, "page")
	w.wa = newChannel(t, db, channels.KindWhatsApp, "wa")
	w.insta = newChannel(t, db, channels.KindInstagram, "ig")
	seeds := []seedContact{{name: "A", subscribed: true, lastAt: tp(composeNow.Add(-time.Hour))}, {name: "B", subscribed: true}}
	for _, ch := range []*models.Channel{w.line, w.messenger, w.wa} {
		byName := seedContacts(t, db, ch.ID, seeds)
		cs := []models.Contact{byName["A"], byName["B"]}
		id := explicitAudience(t, db, ch, cs)
		switch ch {
		case w.line:
			w.lineAudience, w.lineContacts = id, cs
		case w.messenger:
			w.msgrAudience, w.msgrContacts = id, cs
		case w.wa:
			w.waAudience = id
		}
	}
	up, err := models.StoreUpload(db, t.TempDir(), pngBytes(t, 40, 30), 1, composeNow)
	if err != nil {
		t.Fatalf("store upload: %v", err)
	}
	w.upload = up.ID
	w.realLine = newChannel(t, db, channels.KindLINE, "real oa")
	if err := db.Model(w.realLine).Update("api_base_url", "").Error; err != nil {
		t.Fatal(err)
	}
	waTemplate(t, db, w.wa, "shipping", "APPROVED", `[{"type":"HEADER","format":"TEXT","text":"訂單 {{1}}"},
		{"type":"BODY","text":"{{1}} 您好，您的訂單 {{2}} 已出貨。"},
		{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"查詢"},{"type":"URL","text":"網站","url":"https://example.com"},{"type":"QUICK_REPLY","text":"停止"}]}]`)
	waTemplate(t, db, w.wa, "named", "APPROVED", `[{"type":"BODY","text":"Hi {{first_name}}, your code is {{code}}."}]`)
	waTemplate(t, db, w.wa, "pending", "PENDING", `[{"type":"BODY","text":"Soon"}]`)
	waTemplate(t, db, w.wa, "picture", "APPROVED", `[{"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Look"}]`)
	return w
}

func uptr(u uint) *uint { return &u }

// pngBytes encodes a w×h PNG.
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// validDraft is a draft of the channel that passes every rule.
func (w *composeWorld) validDraft(ch *models.Channel) models.Draft {
	d := models.Draft{ChannelID: ch.ID, Subject: "十二月通知", SendNow: true, ApplyTags: []string{"december"}}
	switch ch {
	case w.line:
		d.Audience.AudienceID = uptr(w.lineAudience)
		d.Content.Messages = []models.MessageSpec{{Type: models.MessageText, Text: "Hi " + channels.NameParam}}
	case w.messenger:
		d.Audience.AudienceID = uptr(w.msgrAudience)
		d.MessageTag = models.TagStandard
		d.Content.Messages = []models.MessageSpec{{Type: models.MessageText, Text: "Hello"}}
	case w.wa:
		d.Audience.AudienceID = uptr(w.waAudience)
		d.Content.Template = &models.TemplateSpec{Name: "shipping", Language: "zh_TW",
			HeaderParams: []models.ParamSpec{{Text: "A-1"}},
			BodyParams:   []models.ParamSpec{{ContactName: true}, {Text: "A-1"}},
			Buttons:      []models.ButtonSpec{{Action: channels.ActionNone}, {Action: channels.ActionUnsubscribe}}}
	default:
		d.Content.Messages = []models.MessageSpec{{Type: models.MessageText, Text: "Hello"}}
	}
	return d
}

func texts(n int, text string) []models.MessageSpec {
	out := make([]models.MessageSpec, n)
	for i := range out {
		out[i] = models.MessageSpec{Type: models.MessageText, Text: text}
	}
	return out
}

// TestValidateDraftRules is the validation table: one row per rule, each
// breaking exactly that rule of an otherwise valid draft, on both
// databases.
func TestValidateDraftRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newComposeWorld(t, db)
		locked := newChannel(t, db, channels.KindMessenger, "locked page")
		if err := db.Model(locked).Updates(map[string]any{"tag_broadcast_locked": true, "lock_reason": "promotional_content"}).Error; err != nil {
			t.Fatal(err)
		}
		lockedAud := explicitAudience(t, db, locked, seedContactsList(t, db, locked.ID))
		realAud := explicitAudience(t, db, w.realLine, seedContactsList(t, db, w.realLine.ID))
		emoji := strings.Repeat("😀", 2500) // 5,000 UTF-16 units: LINE's maximum
		type row struct {
			name  string
			ch    *models.Channel
			edit  func(d *models.Draft)
			field string // "" = valid
			code  string
		}
		// The public URL of a row: an https one unless named here ("-":
		// none).
		pubs := map[string]string{"image over http to LINE's host": "http://omnicast.example",
			"image over loopback http to the simulator": "http://127.0.0.1:8080", "image without public URL": "-"}
		rows := []row{
			{"line valid", w.line, func(d *models.Draft) {}, "", ""},
			{"messenger valid", w.messenger, func(d *models.Draft) {}, "", ""},
			{"whatsapp valid", w.wa, func(d *models.Draft) {}, "", ""},
			{"messenger tag valid", w.messenger, func(d *models.Draft) { d.MessageTag = models.TagAccountUpdate }, "", ""},
			{"scheduled in the future", w.line, func(d *models.Draft) { d.SendNow, d.ScheduledAt = false, tp(composeNow.Add(time.Minute)) }, "", ""},
			{"five messages", w.line, func(d *models.Draft) { d.Content.Messages = texts(5, "x") }, "", ""},
			{"LINE 5000 UTF-16 units", w.line, func(d *models.Draft) { d.Content.Messages = texts(1, emoji) }, "", ""},
			{"no channel", w.line, func(d *models.Draft) { d.ChannelID = 9999 }, "channel_id", "channel_not_found"},
			{"instagram refused", w.insta, func(d *models.Draft) {}, "channel_id", "instagram_not_supported"},
			{"subject required", w.line, func(d *models.Draft) { d.Subject = "  " }, "subject", "subject_required"},
			{"subject 101 characters", w.line, func(d *models.Draft) { d.Subject = strings.Repeat("主", 101) }, "subject", "subject_too_long"},
			{"subject 100 characters", w.line, func(d *models.Draft) { d.Subject = strings.Repeat("主", 100) }, "", ""},
			{"message tag on LINE", w.line, func(d *models.Draft) { d.MessageTag = models.TagEventUpdate }, "message_tag", "message_tag_not_allowed"},
			{"unknown message tag", w.messenger, func(d *models.Draft) { d.MessageTag = "HUMAN_AGENT" }, "message_tag", "message_tag_invalid"},
			{"tag lock refuses tagged", locked, func(d *models.Draft) {
				d.MessageTag, d.Audience.AudienceID = models.TagEventUpdate, uptr(lockedAud)
			}, "message_tag", "tag_broadcast_locked"},
			{"tag lock lets standard go", locked, func(d *models.Draft) {
				d.MessageTag, d.Audience.AudienceID = models.TagStandard, uptr(lockedAud)
			}, "", ""},
			{"scheduled time missing", w.line, func(d *models.Draft) { d.SendNow = false }, "scheduled_at", "scheduled_at_required"},
			{"scheduled time in the past", w.line, func(d *models.Draft) { d.SendNow, d.ScheduledAt = false, tp(composeNow.Add(-time.Second)) }, "scheduled_at", "scheduled_at_past"},
			{"scheduled time now", w.line, func(d *models.Draft) { d.SendNow, d.ScheduledAt = false, tp(composeNow) }, "scheduled_at", "scheduled_at_past"},
			{"too many apply tags", w.line, func(d *models.Draft) {
				d.ApplyTags = nil
				for i := range models.MaxApplyTags + 1 {
					d.ApplyTags = append(d.ApplyTags, fmt.Sprint("t", i))
				}
			}, "apply_tags", "apply_tags_too_many"},
			{"apply tag with separator", w.line, func(d *models.Draft) { d.ApplyTags = []string{"a，b"} }, "apply_tags[0]", "tag_name_invalid"},
			{"no messages", w.line, func(d *models.Draft) { d.Content.Messages = nil }, "messages", "messages_required"},
			{"six messages", w.line, func(d *models.Draft) { d.Content.Messages = texts(6, "x") }, "messages", "messages_too_many"},
			{"empty text", w.line, func(d *models.Draft) { d.Content.Messages = texts(1, " \n") }, "messages[0].text", "text_required"},
			{"LINE 5001 UTF-16 units", w.line, func(d *models.Draft) { d.Content.Messages = texts(1, emoji+"a") }, "messages[0].text", "text_too_long"},
			{"Messenger counts characters: 2000", w.messenger, func(d *models.Draft) { d.Content.Messages = texts(1, strings.Repeat("😀", 2000)) }, "", ""},
			{"Messenger 2001 characters", w.messenger, func(d *models.Draft) { d.Content.Messages = texts(1, strings.Repeat("字", 2001)) }, "messages[0].text", "text_too_long"},
			{"unknown message type", w.line, func(d *models.Draft) { d.Content.Messages[0].Type = "video" }, "messages[0].type", "message_type_invalid"},
			{"image without upload", w.line, func(d *models.Draft) {
				d.Content.Messages = append(d.Content.Messages, models.MessageSpec{Type: models.MessageImage})
			}, "messages[1].upload_id", "image_required"},
			{"image of an unknown upload", w.line, func(d *models.Draft) {
				d.Content.Messages = append(d.Content.Messages, models.MessageSpec{Type: models.MessageImage, UploadID: 424242})
			}, "messages[1].upload_id", "upload_not_found"},
			{name: "image over https", ch: w.line, edit: func(d *models.Draft) {
				d.Content.Messages = append(d.Content.Messages, models.MessageSpec{Type: models.MessageImage, UploadID: w.upload})
			}},
			{name: "image over http to LINE's host", ch: w.realLine, edit: func(d *models.Draft) {
				d.Audience.AudienceID = uptr(realAud)
				d.Content.Messages = append(d.Content.Messages, models.MessageSpec{Type: models.MessageImage, UploadID: w.upload})
			}, field: "messages[1].upload_id", code: "image_needs_https"},
			{name: "image over loopback http to the simulator", ch: w.line, edit: func(d *models.Draft) {
				d.Content.Messages = append(d.Content.Messages, models.MessageSpec{Type: models.MessageImage, UploadID: w.upload})
			}},
			{name: "image without public URL", ch: w.messenger, edit: func(d *models.Draft) {
				d.Content.Messages = append(d.Content.Messages, models.MessageSpec{Type: models.MessageImage, UploadID: w.upload})
			}, field: "messages[1].upload_id", code: "image_needs_https"},
			{"bot card with a text", w.line, func(d *models.Draft) {
				d.Content.Messages = append(d.Content.Messages, models.MessageSpec{Type: models.MessageBotCard, BotModuleID: 1})
			}, "messages[1]", "bot_card_alone"},
			{"two bot cards", w.messenger, func(d *models.Draft) {
				d.Content.Messages = []models.MessageSpec{{Type: models.MessageBotCard, BotModuleID: 1}, {Type: models.MessageBotCard, BotModuleID: 2}}
			}, "messages[0]", "bot_card_alone"},
			{"bot card without module", w.line, func(d *models.Draft) {
				d.Content.Messages = []models.MessageSpec{{Type: models.MessageBotCard}}
			}, "messages[0].bot_module_id", "bot_module_required"},
			{"bot card of an unknown module", w.line, func(d *models.Draft) {
				d.Content.Messages = []models.MessageSpec{{Type: models.MessageBotCard, BotModuleID: 424242}}
			}, "messages[0].bot_module_id", "bot_module_not_found"},
			{"template on LINE", w.line, func(d *models.Draft) { d.Content.Template = &models.TemplateSpec{Name: "x"} }, "template", "template_not_allowed"},
			{"audience missing", w.line, func(d *models.Draft) { d.Audience = models.AudienceSpec{} }, "audience", "audience_required"},
			{"audience twice", w.line, func(d *models.Draft) { d.Audience.Filter = "status=all" }, "audience", "audience_ambiguous"},
			{"audience of another channel", w.line, func(d *models.Draft) { d.Audience.AudienceID = uptr(w.msgrAudience) }, "audience", "audience_not_found"},
			{"audience by external ids", w.line, func(d *models.Draft) {
				d.Audience = models.AudienceSpec{ExternalIDs: []string{w.lineContacts[0].ExternalID}}
			}, "", ""},
			{"unknown external ids", w.line, func(d *models.Draft) {
				d.Audience = models.AudienceSpec{ExternalIDs: []string{w.lineContacts[0].ExternalID, "Unobody"}}
			}, "audience", "audience_unknown_contacts"},
			{"audience by filter", w.line, func(d *models.Draft) { d.Audience = models.AudienceSpec{Filter: "interacted_within=30d&tags_any=vip"} }, "", ""},
			{"bad filter", w.line, func(d *models.Draft) { d.Audience = models.AudienceSpec{Filter: "interacted_within=forever"} }, "audience", "audience_filter_invalid"},
			{"whatsapp messages", w.wa, func(d *models.Draft) { d.Content.Messages = texts(1, "x") }, "messages", "messages_not_allowed"},
			{"whatsapp no template", w.wa, func(d *models.Draft) { d.Content.Template = nil }, "template", "template_required"},
			{"template of another language", w.wa, func(d *models.Draft) { d.Content.Template.Language = "en_US" }, "template.name", "template_not_found"},
			{"template not approved", w.wa, func(d *models.Draft) {
				d.Content.Template = &models.TemplateSpec{Name: "pending", Language: "zh_TW"}
			}, "template.name", "template_not_approved"},
			{"header parameter missing", w.wa, func(d *models.Draft) { d.Content.Template.HeaderParams = nil }, "template.header_params", "template_param_count"},
			{"body parameter missing", w.wa, func(d *models.Draft) { d.Content.Template.BodyParams = d.Content.Template.BodyParams[:1] }, "template.body_params", "template_param_count"},
			{"body parameter extra", w.wa, func(d *models.Draft) {
				d.Content.Template.BodyParams = append(d.Content.Template.BodyParams, models.ParamSpec{Text: "x"})
			}, "template.body_params", "template_param_count"},
			{"body parameter empty", w.wa, func(d *models.Draft) { d.Content.Template.BodyParams[1].Text = " " }, "template.body_params[1]", "template_param_required"},
			{"body parameter with a newline", w.wa, func(d *models.Draft) { d.Content.Template.BodyParams[1].Text = "a\nb" }, "template.body_params[1]", "template_param_invalid"},
			{"named parameters", w.wa, func(d *models.Draft) {
				d.Content.Template = &models.TemplateSpec{Name: "named", Language: "zh_TW",
					BodyParams: []models.ParamSpec{{Name: "code", Text: "X1"}, {Name: "first_name", ContactName: true}}}
			}, "", ""},
			{"named parameter unknown", w.wa, func(d *models.Draft) {
				d.Content.Template = &models.TemplateSpec{Name: "named", Language: "zh_TW",
					BodyParams: []models.ParamSpec{{Name: "code", Text: "X1"}, {Name: "last_name", Text: "Wu"}}}
			}, "template.body_params[1]", "template_param_unknown"},
			{"named parameter count", w.wa, func(d *models.Draft) {
				d.Content.Template = &models.TemplateSpec{Name: "named", Language: "zh_TW", BodyParams: []models.ParamSpec{{Name: "code", Text: "X1"}}}
			}, "template.body_params", "template_param_count"},
			{"image header", w.wa, func(d *models.Draft) {
				d.Content.Template = &models.TemplateSpec{Name: "picture", Language: "zh_TW"}
			}, "template.header_params", "template_header_unsupported"},
			{"buttons omitted mean no action", w.wa, func(d *models.Draft) { d.Content.Template.Buttons = nil }, "", ""},
			{"button count", w.wa, func(d *models.Draft) { d.Content.Template.Buttons = d.Content.Template.Buttons[:1] }, "template.buttons", "template_button_count"},
			{"button action unknown", w.wa, func(d *models.Draft) { d.Content.Template.Buttons[0].Action = "call" }, "template.buttons[0].action", "button_action_invalid"},
			{"button bot without module", w.wa, func(d *models.Draft) { d.Content.Template.Buttons[1].Action = channels.ActionBot }, "template.buttons[1].bot_module_id", "bot_module_required"},
		}
		for _, r := range rows {
			t.Run(r.name, func(t *testing.T) {
				d := w.validDraft(r.ch)
				r.edit(&d)
				pub := pubs[r.name]
				switch pub {
				case "":
					pub = "https://omnicast.example"
				case "-":
					pub = ""
				}
				_, errs := models.ValidateDraft(db, d, models.ValidateEnv{Now: composeNow, PublicURL: pub})
				if r.field == "" {
					if len(errs) > 0 {
						t.Fatalf("valid draft refused: %+v", errs)
					}
					return
				}
				if !slices.ContainsFunc(errs, func(e models.FieldError) bool { return e.Field == r.field && e.Code == r.code }) {
					t.Fatalf("want %s %s, got %+v", r.field, r.code, errs)
				}
				// Exclusivity is judged whatever the modules are (these
				// name modules that do not exist).
				errs = slices.DeleteFunc(errs, func(e models.FieldError) bool {
					return r.code == "bot_card_alone" && (e.Code == "bot_module_not_found" || e.Code == r.code)
				})
				if r.code == "bot_card_alone" {
					errs = append(errs, models.FieldError{})
				}
				if len(errs) != 1 && r.field != "channel_id" {
					t.Errorf("want one error, got %+v", errs)
				}
			})
		}
	})
}

// seedContactsList makes two subscribed contacts on a channel.
func seedContactsList(t testing.TB, db *gorm.DB, channelID uint) []models.Contact {
	t.Helper()
	byName := seedContacts(t, db, channelID, []seedContact{{name: "P", subscribed: true}, {name: "Q", subscribed: true}})
	return []models.Contact{byName["P"], byName["Q"]}
}

// TestValidateDraftResolvesContent: what passes comes back as the
// content the platform gets.
func TestValidateDraftResolvesContent(t *testing.T) {
	db := dbtest.SQLite(t)
	w := newComposeWorld(t, db)
	checked, errs := models.ValidateDraft(db, w.validDraft(w.wa), models.ValidateEnv{Now: composeNow})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tpl := checked.Content.Template
	if tpl == nil || tpl.Name != "shipping" || len(tpl.Body) != 2 || !tpl.Body[0].ContactName || tpl.Body[1].Text != "A-1" ||
		len(tpl.Buttons) != 2 || tpl.Buttons[1].Action != channels.ActionUnsubscribe {
		t.Fatalf("resolved template %+v", tpl)
	}
	checked, errs = models.ValidateDraft(db, w.validDraft(w.line), models.ValidateEnv{Now: composeNow})
	if len(errs) > 0 || len(checked.Content.Parts) != 1 || checked.Content.Parts[0].Text != "Hi {{name}}" || checked.Channel.ID != w.line.ID {
		t.Fatalf("resolved %+v %+v", checked, errs)
	}
}

func TestFieldErrorMessageID(t *testing.T) {
	if got := (models.FieldError{Code: "subject_required"}).MessageID(); got != "compose.error.subject_required" {
		t.Error(got)
	}
	if got := (models.FieldError{Code: "button_title_too_long", Args: map[string]any{"fit": true}}).MessageID(); got != "fit.button_title_too_long" {
		t.Error(got)
	}
}
