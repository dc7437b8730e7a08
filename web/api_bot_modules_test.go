package web

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestAPIBotModules: POST validates as the bot builder does (422 with
// field errors in the request's language), the answer says which channels
// the module fits and why not, and GET lists what was made.
func TestAPIBotModules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		client := app.apiClientFor("mkt@example.com", models.RoleMarketer)

		bad := client.postJSON("/api/v1/bot-modules", map[string]any{
			"name": "新品", "kind": "button_card", "text": "本週新品",
			"buttons": []map[string]any{{"title": strings.Repeat("長", 21), "type": "reply", "payload": "P"}},
		})
		wantAPIStatus(t, bad, http.StatusUnprocessableEntity, "title_long")
		if bad.errorField() != "buttons[0].title" || bad.errorMessage() != "A title can be at most 20 characters." {
			t.Errorf("field error %q %q", bad.errorField(), bad.errorMessage())
		}
		client.lang = "zh-TW"
		bad = client.postJSON("/api/v1/bot-modules", map[string]any{"name": "x", "kind": "flex"})
		wantAPIStatus(t, bad, http.StatusUnprocessableEntity, "kind")
		if !strings.Contains(bad.errorMessage(), "按鈕卡片") {
			t.Errorf("zh-TW message %q", bad.errorMessage())
		}
		wantAPIStatus(t, client.postJSON("/api/v1/bot-modules", map[string]any{"name": "x", "kind": "button_card", "colour": "red"}),
			http.StatusBadRequest, "unknown_field")

		long := strings.Repeat("字", 161)
		r := client.postJSON("/api/v1/bot-modules", map[string]any{
			"name": "新品通知", "kind": "button_card", "text": long,
			"buttons": []map[string]any{
				{"title": "看新品", "type": "url", "url": "https://shop.example.com/new"},
				{"title": "稍後提醒", "type": "reply", "payload": "LATER"},
			},
		})
		wantAPIStatus(t, r, http.StatusCreated, "")
		fits, _ := r.body["fits"].(map[string]any)
		if fits["messenger"] != true || fits["line"] != false || fits["whatsapp"] != false {
			t.Errorf("fits %v", fits)
		}
		problems, _ := r.body["problems"].(map[string]any)
		line, _ := problems["line"].([]any)
		if len(line) != 1 {
			t.Fatalf("LINE problems %v", problems["line"])
		}
		p := line[0].(map[string]any)
		if p["code"] != "card_text_too_long" || p["field"] != "text" || p["limit"] != float64(160) || p["got"] != float64(161) ||
			!strings.Contains(p["message"].(string), "160") {
			t.Errorf("LINE problem %v", p)
		}
		if wa, _ := problems["whatsapp"].([]any); len(wa) != 1 || wa[0].(map[string]any)["code"] != "url_button_not_supported" {
			t.Errorf("WhatsApp problems %v", problems["whatsapp"])
		}
		id := r.body["id"].(float64)
		var m models.BotModule
		if err := db.First(&m, uint(id)).Error; err != nil || m.CreatedBy == 0 {
			t.Fatalf("stored %+v %v", m, err)
		}

		list := client.get("/api/v1/bot-modules")
		wantAPIStatus(t, list, http.StatusOK, "")
		mods, _ := list.body["bot_modules"].([]any)
		if len(mods) != 1 || mods[0].(map[string]any)["name"] != "新品通知" || mods[0].(map[string]any)["text"] != long {
			t.Fatalf("list %.400s", list.raw)
		}
		one := client.get("/api/v1/bot-modules/" + strconv.Itoa(int(id)))
		wantAPIStatus(t, one, http.StatusOK, "")
		wantAPIStatus(t, client.get("/api/v1/bot-modules/999"), http.StatusNotFound, "not_found")
	})
}

// TestAPIBotModuleCarouselWithUploads: a carousel's images are uploads,
// served under the public URL; it fits LINE and Messenger, not WhatsApp.
func TestAPIBotModuleCarouselWithUploads(t *testing.T) {
	db := dbtest.SQLite(t)
	app := newTestAppWith(t, db, func(c *Config) { c.PublicURL = "https://omni.example.com"; c.MediaDir = t.TempDir() })
	client := app.apiClientFor("mkt@example.com", models.RoleMarketer)
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	up, err := models.StoreUpload(db, t.TempDir(), buf.Bytes(), 1, app.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	card := func(title string) map[string]any {
		return map[string]any{"image_upload_id": up.ID, "title": title, "subtitle": "限量",
			"buttons": []map[string]any{{"title": "買", "type": "url", "url": "https://shop.example.com/p"}}}
	}
	r := client.postJSON("/api/v1/bot-modules", map[string]any{"name": "熱賣", "kind": "carousel",
		"cards": []map[string]any{card("鞋"), card("包")}})
	wantAPIStatus(t, r, http.StatusCreated, "")
	fits, _ := r.body["fits"].(map[string]any)
	if fits["line"] != true || fits["messenger"] != true || fits["whatsapp"] != false {
		t.Errorf("fits %v; problems %v", fits, r.body["problems"])
	}
	// The editor's preview shows the uploaded picture.
	b := app.browser()
	b.signIn("mkt@example.com")
	edit := b.get("/bots/" + strconv.Itoa(int(r.body["id"].(float64))) + "/edit")
	wantStatus(t, edit, http.StatusOK)
	if src, _ := edit.doc.Find(`[data-testid="preview-line"] img`).Attr("src"); src != "https://omni.example.com/media/"+up.FileName() {
		t.Errorf("preview image %q", src)
	}
}
