package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// waTestTemplates are a number's synced templates: a positional one with
// a TEXT header {{1}}, three body parameters, a footer and four
// quick-reply buttons (one per action) after a URL button; a named one;
// one whose URL button takes a parameter; one still pending review.
func waTestTemplates() []models.WATemplate {
	return []models.WATemplate{
		{Name: "order_shipped", Language: "zh_TW", Status: "APPROVED", Category: "UTILITY", Components: `[
			{"type":"HEADER","format":"TEXT","text":"訂單 {{1}} 已出貨","example":{"header_text":["A1001"]}},
			{"type":"BODY","text":"{{1}} 您好，您的訂單 {{2}} 已交由 {{3}} 配送，預計明天送達。","example":{"body_text":[["王小明","A1001","黑貓宅急便"]]}},
			{"type":"FOOTER","text":"好日子咖啡"},
			{"type":"BUTTONS","buttons":[
				{"type":"URL","text":"追蹤包裹","url":"https://shop.example.com/track"},
				{"type":"QUICK_REPLY","text":"收到了"},
				{"type":"QUICK_REPLY","text":"看看會員方案"},
				{"type":"QUICK_REPLY","text":"訂閱到貨通知"},
				{"type":"QUICK_REPLY","text":"不要再通知我"}]}]`},
		{Name: "member_welcome", Language: "zh_TW", Status: "APPROVED", Category: "MARKETING", Components: `[
			{"type":"BODY","text":"{{first_name}} 歡迎加入好日子會員！您的會員編號是 {{member_id}}。"}]`},
		{Name: "track_parcel", Language: "zh_TW", Status: "APPROVED", Category: "UTILITY", Components: `[
			{"type":"BODY","text":"您的包裹已寄出。"},
			{"type":"BUTTONS","buttons":[{"type":"URL","text":"追蹤包裹","url":"https://shop.example.com/track/{{1}}","example":["https://shop.example.com/track/A1001"]}]}]`},
		{Name: "spring_sale", Language: "zh_TW", Status: "PENDING", Category: "MARKETING", Components: `[
			{"type":"BODY","text":"春季新品上市"}]`},
	}
}

// waParam is one template parameter as the composer posts it.
type waParam struct{ name, kind, text string }

// waComposerForm is the WhatsApp composer's form: a template (name|lang),
// header and body parameters, and per quick-reply button an action and a
// bot module ("" for none).
func waComposerForm(aud, subject, key string, header, body []waParam, actions []string, modules []string) url.Values {
	f := url.Values{"audience": {aud}, "subject": {subject}, "send_mode": {"now"}, "template": {key}}
	for prefix, params := range map[string][]waParam{"hp": header, "bp": body} {
		for _, p := range params {
			f.Add(prefix+"_name", p.name)
			f.Add(prefix+"_kind", p.kind)
			f.Add(prefix+"_text", p.text)
		}
	}
	for i, a := range actions {
		f.Add("btn_action", a)
		f.Add("btn_module", at(modules, i))
	}
	return f
}

// postHTMX posts the form as htmx does for the live preview.
func (b *browser) postHTMX(path, target string, form url.Values) page {
	b.t.Helper()
	form.Set("_csrf", b.lastCSRF)
	req, _ := http.NewRequest(http.MethodPost, b.app.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", target)
	return b.do(req)
}

func texts(p page, sel string) []string { return textsIn(p.doc.Selection, sel) }

func textsIn(in *goquery.Selection, sel string) []string {
	var out []string
	in.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
	return out
}

// TestComposerWhatsAppTemplate composes a WhatsApp broadcast: the picker
// offers the approved templates (a pending one disabled, with why);
// picking one lays out 參數1 for the header, one input per body {{n}}
// (fixed text or the contact's name), one action per quick-reply button;
// the preview shows the template filled in; wrong or missing parameters
// are refused beside their fields, nothing typed lost; fixed, it goes to
// the confirmation and is confirmed with the template stored as composed.
// Named parameters are laid out and stored by name; a template whose link
// button needs a parameter is refused.
func TestComposerWhatsAppTemplate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.lang = "zh-TW"
		b.signIn("mei@example.com")
		ch, aud := openComposer(t, app, b, channels.KindWhatsApp)
		if err := models.ReplaceWATemplates(db, ch.ID, waTestTemplates(), app.clock.Now()); err != nil {
			t.Fatal(err)
		}
		card := app.saveModule(models.BotModuleInput{Name: "會員方案介紹", Kind: channels.CardButton, Text: "好日子會員每月享新品試喝。",
			Buttons: []models.ModuleButton{{Title: "我要加入", Type: channels.ButtonReply, Payload: "join"}, {Title: "再想想", Type: channels.ButtonReply, Payload: "later"}}})
		linkCard := app.saveModule(models.BotModuleInput{Name: "官網連結", Kind: channels.CardButton, Text: "看看官網",
			Buttons: []models.ModuleButton{{Title: "官網", Type: channels.ButtonURL, URL: "https://shop.example.com"}}})

		// The picker: approved templates to choose, the pending one not.
		p := b.get("/broadcasts/new?audience=" + aud)
		wantStatus(t, p, http.StatusOK)
		if p.doc.Find(`[data-testid="template-search"]`).Length() != 1 || p.doc.Find(`[data-template-category] option[value="UTILITY"]`).Length() != 1 {
			t.Fatal("the picker has no search or category filter")
		}
		choice := func(p page, name string) *goquery.Selection {
			return p.doc.Find(`.template-choice[data-name="` + name + `"]`)
		}
		for _, name := range []string{"order_shipped", "member_welcome"} {
			if c := choice(p, name); c.Length() != 1 || c.Find(`input[disabled]`).Length() != 0 {
				t.Fatalf("approved template %s: %d choices, disabled %d", name, c.Length(), c.Find(`input[disabled]`).Length())
			}
		}
		if c := choice(p, "spring_sale"); c.Find(`input[disabled]`).Length() != 1 || !strings.Contains(c.Text(), "核准") {
			t.Fatalf("the pending template is not refused with why: %q", c.Text())
		}
		if cat, _ := choice(p, "order_shipped").Attr("data-category"); cat != "UTILITY" {
			t.Fatalf("order_shipped is in category %q", cat)
		}
		if pv := choice(p, "order_shipped").Find(".template-text").Text(); !strings.Contains(pv, "已交由 {{3}} 配送") {
			t.Fatalf("the picker's preview of the template: %q", pv)
		}

		// Picking it lays out its inputs.
		key := "order_shipped|zh_TW"
		pick := waComposerForm(aud, "出貨通知", key, nil, nil, nil, nil)
		pick.Set("op", "pick")
		p = b.post("/broadcasts", pick)
		wantStatus(t, p, http.StatusOK)
		if _, ok := choice(p, "order_shipped").Find("input").Attr("checked"); !ok {
			t.Fatal("the picked template is not checked")
		}
		if n, m := p.doc.Find(`[data-testid="hp-param"]`).Length(), p.doc.Find(`[data-testid="bp-param"]`).Length(); n != 1 || m != 3 {
			t.Fatalf("picked: %d header inputs (want 1), %d body inputs (want 3)", n, m)
		}
		if l := p.text(`[data-testid="hp-param"] label`); !strings.Contains(l, "參數1") || !strings.Contains(l, "{{1}}") {
			t.Fatalf("the header input is labelled %q", l)
		}
		if got := strings.Join(texts(p, `[data-testid="button-action"] label`), "|"); got != "收到了|看看會員方案|訂閱到貨通知|不要再通知我" {
			t.Fatalf("button actions for %q, want the four quick replies (not the URL button)", got)
		}
		if got := strings.Join(textsIn(p.doc.Find(`[data-testid="button-action"]`).Eq(0), `select[name="btn_action"] option`), "|"); got != "沒有動作|機器人|訂閱通知|取消訂閱通知" {
			t.Fatalf("the actions offered: %q", got)
		}
		if _, ok := p.doc.Find(`select[name="btn_module"] option[value="` + itoa(linkCard.ID) + `"]`).Attr("disabled"); !ok {
			t.Fatal("a module with a URL button (no fit for WhatsApp) can be picked for a button")
		}

		// The live preview fills the template in, the contact's name too.
		header := []waParam{{kind: "text", text: "A1234"}}
		body := []waParam{{kind: "contact"}, {kind: "text", text: "A1234"}, {kind: "text", text: "黑貓宅急便"}}
		actions := []string{"none", "bot", "subscribe", "unsubscribe"}
		modules := []string{"", itoa(card.ID), "", ""}
		f := waComposerForm(aud, "出貨通知", key, header, body, actions, modules)
		p = b.postHTMX("/broadcasts/compose", "composer-preview", f)
		wantStatus(t, p, http.StatusOK)
		bubble := p.doc.Find(`[data-testid="preview-bubble"]`)
		if bubble.Length() != 1 {
			t.Fatalf("%d preview bubbles", bubble.Length())
		}
		if got := strings.TrimSpace(bubble.Find(".bubble-title").Text()); got != "訂單 A1234 已出貨" {
			t.Fatalf("preview header %q", got)
		}
		if got := strings.TrimSpace(bubble.Find(".bubble-text").Text()); got != "客戶 001 您好，您的訂單 A1234 已交由 黑貓宅急便 配送，預計明天送達。" {
			t.Fatalf("preview body %q", got)
		}
		if got := strings.Join(texts(p, `[data-testid="preview-bubble"] .bubble-button`), "|"); got != "追蹤包裹|收到了|看看會員方案|訂閱到貨通知|不要再通知我" {
			t.Fatalf("preview buttons %q", got)
		}
		if got := strings.TrimSpace(bubble.Find(".bubble-footer").Text()); got != "好日子咖啡" {
			t.Fatalf("preview footer %q", got)
		}

		// Refused beside the fields: an empty fixed text, a bot action
		// with no module; everything typed comes back.
		bad := waComposerForm(aud, "出貨通知", key, header,
			[]waParam{{kind: "contact"}, {kind: "text", text: ""}, {kind: "text", text: "黑貓宅急便"}}, actions, []string{"", "", "", ""})
		bad.Set("op", "next")
		p = b.post("/broadcasts", bad)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if e := p.text(`[data-field-error="bp1"]`); !strings.Contains(e, "請填寫") && !strings.Contains(e, "聯絡人名稱") {
			t.Errorf("the empty body parameter: beside it %q", e)
		}
		if e := p.text(`[data-field-error="template.buttons[1]"]`); e == "" {
			t.Errorf("a bot action without a module is not refused beside the button: %s", p.text(`[data-testid="composer-errors"]`))
		}
		if v, _ := p.doc.Find(`[data-testid="hp-param"] input[name="hp_text"]`).Attr("value"); v != "A1234" {
			t.Errorf("the header parameter typed is lost: %q", v)
		}
		if _, ok := p.doc.Find(`[data-testid="bp-param"]`).Eq(0).Find(`option[value="contact"]`).Attr("selected"); !ok {
			t.Error("the contact-name choice is lost")
		}
		if _, ok := p.doc.Find(`[data-testid="button-action"]`).Eq(2).Find(`option[value="subscribe"]`).Attr("selected"); !ok {
			t.Error("the subscribe action is lost")
		}
		action, _ := p.doc.Find(`[data-testid="composer"]`).Attr("action")
		version, _ := p.doc.Find(`input[name="version"]`).Attr("value")

		// The wrong number of parameters (the template changed under the
		// page, or a hand-made post): refused beside the body, with the counts.
		wrong := waComposerForm(aud, "出貨通知", key, header, body[:2], actions, modules)
		wrong.Set("op", "next")
		wrong.Set("version", version)
		p = b.post(action, wrong)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if e := p.text(`[data-testid="body-params"] [data-field-error="template.body_params"]`); !strings.Contains(e, "3") || !strings.Contains(e, "2") {
			t.Errorf("a wrong parameter count beside the body: %q; errors %s", e, p.text(`[data-testid="composer-errors"]`))
		}
		version, _ = p.doc.Find(`input[name="version"]`).Attr("value")

		// Fixed: to the confirmation, which shows the filled template.
		f.Set("op", "next")
		f.Set("version", version)
		p = b.post(action, f)
		wantStatus(t, p, http.StatusSeeOther)
		confirm := p.location()
		if confirm != action+"/confirm" {
			t.Fatalf("next went to %q", confirm)
		}
		edit := b.get(action + "/edit")
		if v, _ := edit.doc.Find(`[data-testid="bp-param"]`).Eq(2).Find(`input[name="bp_text"]`).Attr("value"); v != "黑貓宅急便" {
			t.Errorf("the saved draft opens with the third body parameter %q", v)
		}
		if _, ok := edit.doc.Find(`[data-testid="button-action"]`).Eq(1).Find(`select[name="btn_module"] option[value="` + itoa(card.ID) + `"]`).Attr("selected"); !ok {
			t.Error("the saved draft lost the bot module of the second button")
		}
		p = b.get(confirm)
		wantStatus(t, p, http.StatusOK)
		if n, _ := p.doc.Find(`[data-testid="confirm-audience"]`).Attr("data-count"); n == "" || n == "0" {
			t.Fatalf("audience count %q", n)
		}
		if got := p.text(`[data-testid="confirm-content"] .bubble-text`); !strings.Contains(got, "A1234 已交由 黑貓宅急便") {
			t.Fatalf("the confirmation shows %q", got)
		}
		if got := p.text(`[data-testid="confirm-template"]`); !strings.Contains(got, "order_shipped") || !strings.Contains(got, "公用程式") {
			t.Fatalf("the confirmation names the template as %q, want its name and category", got)
		}
		cv, _ := p.doc.Find(`[data-testid="confirm-form"] input[name="version"]`).Attr("value")
		wantStatus(t, b.post(confirm, url.Values{"version": {cv}}), http.StatusSeeOther)

		id, _ := parseID(strings.TrimPrefix(action, "/broadcasts/"))
		bc, err := models.FindBroadcast(db, id)
		if err != nil {
			t.Fatal(err)
		}
		if bc.Status == models.BroadcastDraft || bc.ConfirmedBy == nil {
			t.Fatalf("after confirming: status %s", bc.Status)
		}
		spec, err := bc.Spec()
		if err != nil {
			t.Fatal(err)
		}
		tpl := spec.Template
		if tpl == nil || tpl.Name != "order_shipped" || tpl.Language != "zh_TW" || len(spec.Messages) != 0 {
			t.Fatalf("stored content: %+v", spec)
		}
		if len(tpl.HeaderParams) != 1 || tpl.HeaderParams[0].Text != "A1234" ||
			len(tpl.BodyParams) != 3 || !tpl.BodyParams[0].ContactName || tpl.BodyParams[1].Text != "A1234" || tpl.BodyParams[2].Text != "黑貓宅急便" {
			t.Fatalf("stored parameters: header %+v body %+v", tpl.HeaderParams, tpl.BodyParams)
		}
		var got []string
		for _, bt := range tpl.Buttons {
			got = append(got, bt.Action+":"+itoa(bt.BotModuleID))
		}
		if strings.Join(got, ",") != "none:0,bot:"+itoa(card.ID)+",subscribe:0,unsubscribe:0" {
			t.Fatalf("stored button actions %v", got)
		}

		// A link button that needs a parameter cannot be filled: refused
		// with why, before anything is sent.
		track := waComposerForm(aud, "包裹追蹤", "track_parcel|zh_TW", nil, nil, nil, nil)
		track.Set("op", "next")
		p = b.post("/broadcasts", track)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if e := p.text(`[data-field-error="template"]`); !strings.Contains(e, "追蹤包裹") {
			t.Errorf("a template with a dynamic link button: %q", e)
		}

		// Named parameters: one input per name, stored by name.
		p = b.get("/broadcasts/new?audience=" + aud)
		named := waComposerForm(aud, "歡迎新會員", "member_welcome|zh_TW", nil, nil, nil, nil)
		named.Set("op", "pick")
		p = b.post("/broadcasts", named)
		wantStatus(t, p, http.StatusOK)
		if got := strings.Join(texts(p, `[data-testid="bp-param"] label code`), "|"); got != "{{first_name}}|{{member_id}}" {
			t.Fatalf("named inputs %q", got)
		}
		if got := strings.Join(attrs(p, `[data-testid="bp-param"] input[name="bp_name"]`, "value"), "|"); got != "first_name|member_id" {
			t.Fatalf("named inputs carry the names %q", got)
		}
		named = waComposerForm(aud, "歡迎新會員", "member_welcome|zh_TW", nil,
			[]waParam{{name: "first_name", kind: "contact"}, {name: "member_id", kind: "text", text: "M-0001"}}, nil, nil)
		p = b.postHTMX("/broadcasts/compose", "composer-preview", named)
		if got := p.text(`[data-testid="preview-bubble"] .bubble-text`); got != "客戶 001 歡迎加入好日子會員！您的會員編號是 M-0001。" {
			t.Fatalf("named preview %q", got)
		}
		named.Set("op", "next")
		p = b.post("/broadcasts", named)
		wantStatus(t, p, http.StatusSeeOther)
		nid, _ := parseID(strings.TrimSuffix(strings.TrimPrefix(p.location(), "/broadcasts/"), "/confirm"))
		nb, err := models.FindBroadcast(db, nid)
		if err != nil {
			t.Fatal(err)
		}
		nspec, _ := nb.Spec()
		if nspec.Template == nil || len(nspec.Template.BodyParams) != 2 || nspec.Template.BodyParams[0].Name != "first_name" ||
			!nspec.Template.BodyParams[0].ContactName || nspec.Template.BodyParams[1].Name != "member_id" || nspec.Template.BodyParams[1].Text != "M-0001" {
			t.Fatalf("named parameters stored as %+v", nspec.Template)
		}
	})
}

func attrs(p page, sel, name string) []string {
	var out []string
	p.doc.Find(sel).Each(func(_ int, s *goquery.Selection) { v, _ := s.Attr(name); out = append(out, v) })
	return out
}
