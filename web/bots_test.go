package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestBotBuilderPages drives the bot builder through the real router:
// create with a refused field (typed values kept, error beside it), fit
// badges with reasons on the list, live preview, edit, duplicate, delete.
func TestBotBuilderPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mkt@example.com", models.RoleMarketer)
		b := app.browser()
		b.lang = "zh-TW"
		b.signIn("mkt@example.com")

		empty := b.get("/bots")
		wantStatus(t, empty, http.StatusOK)
		if empty.doc.Find(`[data-testid="bots-empty"]`).Length() != 1 {
			t.Fatal("empty list not explained")
		}
		form := b.get("/bots/new?kind=button_card")
		wantStatus(t, form, http.StatusOK)
		if form.doc.Find(`[data-testid="button-row"]`).Length() != 3 || form.doc.Find(`[data-testid="preview-line"]`).Length() != 1 {
			t.Fatalf("editor: %.300s", form.body)
		}

		post := url.Values{
			"kind": {"button_card"}, "name": {"新品通知"}, "text": {"本週新品上架"},
			"buttons[0].title": {"看新品"}, "buttons[0].type": {"url"}, "buttons[0].url": {"https://shop.example.com/new"},
			"buttons[1].title": {strings.Repeat("長", 21)}, "buttons[1].type": {"reply"}, "buttons[1].payload": {"LATER"},
		}
		bad := b.post("/bots", post)
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		if got := bad.text(`[data-testid="error-buttons[1].title"]`); got != "標題最多 20 個字元。" {
			t.Errorf("error beside the title = %q", got)
		}
		if v, _ := bad.doc.Find(`input[name="buttons[0].url"]`).Attr("value"); v != "https://shop.example.com/new" {
			t.Errorf("typed URL lost: %q", v)
		}

		post.Set("buttons[1].title", "稍後提醒")
		ok := b.post("/bots", post)
		if ok.status != http.StatusSeeOther || ok.location() != "/bots" {
			t.Fatalf("create: %d %q", ok.status, ok.location())
		}
		list := b.get("/bots")
		row := list.doc.Find(`[data-testid="bot-row"]`)
		if row.Length() != 1 || !strings.Contains(row.Text(), "新品通知") {
			t.Fatalf("list: %.500s", list.body)
		}
		fit := func(kind string) (string, string) {
			li := row.Find(`.bot-fit[data-kind="` + kind + `"]`)
			v, _ := li.Attr("data-fits")
			return v, strings.TrimSpace(li.Find(".fit-reasons").Text())
		}
		if v, _ := fit("line"); v != "true" {
			t.Errorf("LINE fit = %s", v)
		}
		if v, why := fit("whatsapp"); v != "false" || !strings.Contains(why, "WhatsApp 的機器人卡片只能使用回覆按鈕") {
			t.Errorf("WhatsApp fit = %s, %q", v, why)
		}

		// The preview fragment follows the form as typed.
		pv := b.post("/bots/preview", url.Values{"kind": {"button_card"}, "text": {strings.Repeat("字", 161)},
			"buttons[0].title": {"好"}, "buttons[0].type": {"reply"}})
		wantStatus(t, pv, http.StatusOK)
		if !strings.Contains(pv.text(`[data-testid="preview-line"] .bubble-text`), "字字字") {
			t.Errorf("preview: %.300s", pv.body)
		}
		if v, _ := pv.doc.Find(`.bot-fit[data-kind="line"]`).Attr("data-fits"); v != "false" ||
			!strings.Contains(pv.text(`.bot-fit[data-kind="line"] .fit-reasons`), "卡片文字共 161 個字元，此渠道的卡片上限為 160 個") {
			t.Errorf("LINE 161 preview fit: %.600s", pv.body)
		}
		if v, _ := pv.doc.Find(`.bot-fit[data-kind="messenger"]`).Attr("data-fits"); v != "true" {
			t.Errorf("Messenger 161: fits = %s", v)
		}

		var m models.BotModule
		db.First(&m)
		id := itoaU(m.ID)
		edit := b.get("/bots/" + id + "/edit")
		wantStatus(t, edit, http.StatusOK)
		if v, _ := edit.doc.Find(`input[name="name"]`).Attr("value"); v != "新品通知" {
			t.Errorf("edit name = %q", v)
		}
		post.Set("name", "新品通知 v2")
		if p := b.post("/bots/"+id, post); p.status != http.StatusSeeOther {
			t.Fatalf("update: %d %.300s", p.status, p.body)
		}
		post.Set("kind", "carousel")
		wantStatus(t, b.post("/bots/"+id, post), http.StatusBadRequest)

		if p := b.post("/bots/"+id+"/duplicate", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("duplicate: %d", p.status)
		}
		list = b.get("/bots")
		if n := list.doc.Find(`[data-testid="bot-row"]`).Length(); n != 2 || !strings.Contains(list.body, "新品通知 v2（副本）") {
			t.Fatalf("after duplicate %d rows: %.600s", n, list.body)
		}
		// A draft using it keeps it.
		db.Create(&models.Broadcast{ChannelID: 1, Subject: "s", Status: models.BroadcastDraft,
			Content: `{"messages":[{"type":"bot_card","bot_module_id":` + id + `}]}`})
		b.post("/bots/"+id+"/delete", url.Values{})
		if list = b.get("/bots"); !strings.Contains(list.text(`[data-testid="flash"]`), "尚未發送的推播訊息正在使用此模組") {
			t.Errorf("in-use delete not refused: %q", list.text(`[data-testid="flash"]`))
		}
		db.Model(&models.Broadcast{}).Where("1 = 1").Update("status", models.BroadcastDone)
		b.post("/bots/"+id+"/delete", url.Values{})
		if n := b.get("/bots").doc.Find(`[data-testid="bot-row"]`).Length(); n != 1 {
			t.Errorf("after delete %d rows", n)
		}
		wantStatus(t, b.get("/bots/"+id+"/edit"), http.StatusNotFound)
	})
}

// TestBotBuilderEnglish: the same screens in English.
func TestBotBuilderEnglish(t *testing.T) {
	app := newTestApp(t, dbtest.SQLite(t))
	app.addUser("mkt@example.com", models.RoleMarketer)
	b := app.browser()
	b.signIn("mkt@example.com")
	p := b.post("/bots", url.Values{"kind": {"carousel"}, "name": {"Hot"}, "cards[0].title": {"Shoe"}})
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := p.text(`[data-testid="error-cards[0].image_upload_id"]`); got != "Every card needs an image." {
		t.Errorf("image error = %q", got)
	}
	if got := p.text(`[data-testid="page-title"]`); got != "New Carousel" {
		t.Errorf("title = %q", got)
	}
}

func itoaU(n uint) string { return strconv.FormatUint(uint64(n), 10) }
