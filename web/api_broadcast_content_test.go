package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// apiUploadPNG uploads a picture through POST /api/v1/uploads and
// returns its id.
func apiUploadPNG(t *testing.T, client *apiClient) float64 {
	t.Helper()
	ct, body := multipartFile(t, "file", "pic.png", webTestPNG(t), nil)
	r := client.do(http.MethodPost, "/api/v1/uploads", ct, body)
	wantAPIStatus(t, r, http.StatusCreated, "")
	return r.body["id"].(float64)
}

// apiModule creates a button card through POST /api/v1/bot-modules.
func apiModule(t *testing.T, client *apiClient, name, text string) float64 {
	t.Helper()
	r := client.postJSON("/api/v1/bot-modules", map[string]any{"name": name, "kind": channels.CardButton, "text": text,
		"buttons": []map[string]any{{"title": "官網", "type": "url", "url": "https://shop.example.com"}}})
	wantAPIStatus(t, r, http.StatusCreated, "")
	return r.body["id"].(float64)
}

// waitScheduled polls GET /api/v1/broadcasts/:id until the freeze worker
// has scheduled it (the dispatcher may already have started or finished
// sending it by then: a send-now broadcast is due at once).
func waitScheduled(t *testing.T, client *apiClient, id float64) apiResponse {
	t.Helper()
	path := "/api/v1/broadcasts/" + strconv.Itoa(int(id))
	var shown apiResponse
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		shown = client.get(path)
		switch shown.body["status"] {
		case models.BroadcastScheduled, models.BroadcastSending, models.BroadcastDone:
			return shown
		}
	}
	t.Fatalf("not scheduled: %s", shown.raw)
	return shown
}

// TestAPIBroadcastImageAndBotCard: images uploaded through the API and
// bot modules made through the API go out in broadcasts created through
// the API; a module LINE cannot show is refused with the fit reason in the
// request's language.
func TestAPIBroadcastImageAndBotCard(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestAppWith(t, db, func(c *Config) { c.PublicURL = "https://omni.example.com" })
		client := app.apiClientFor("mia@example.com", models.RoleMarketer)
		ch, ids := lineOnSim(t, app, 1000)
		upload := apiUploadPNG(t, client)
		body := func(msgs ...map[string]any) map[string]any {
			return map[string]any{"channel_id": ch.ID, "subject": "新品", "audience": map[string]any{"external_ids": ids}, "messages": msgs}
		}
		text := map[string]any{"type": "text", "text": "Hi {{name}}"}
		image := map[string]any{"type": "image", "upload_id": upload}

		dry := body(text, image)
		dry["dry_run"] = true
		r := client.postJSON("/api/v1/broadcasts", dry)
		wantAPIStatus(t, r, http.StatusOK, "")
		if fig, _ := r.body["figures"].(map[string]any); fig["sendable"] != 1.0 {
			t.Fatalf("dry run: %s", r.raw)
		}
		r = client.postJSON("/api/v1/broadcasts", body(text, image))
		wantAPIStatus(t, r, http.StatusCreated, "")
		shown := waitScheduled(t, client, r.body["id"].(float64))
		content, _ := shown.body["content"].(map[string]any)
		msgs, _ := content["messages"].([]any)
		if len(msgs) != 2 || msgs[1].(map[string]any)["type"] != "image" || msgs[1].(map[string]any)["upload_id"] != upload {
			t.Fatalf("image broadcast: %s", shown.raw)
		}

		card := apiModule(t, client, "menu", "看看冬季新品")
		r = client.postJSON("/api/v1/broadcasts", body(map[string]any{"type": "bot_card", "bot_module_id": card}))
		wantAPIStatus(t, r, http.StatusCreated, "")
		shown = waitScheduled(t, client, r.body["id"].(float64))
		content, _ = shown.body["content"].(map[string]any)
		if msgs, _ := content["messages"].([]any); len(msgs) != 1 || msgs[0].(map[string]any)["bot_module_id"] != card {
			t.Fatalf("bot card broadcast: %s", shown.raw)
		}

		// 200 characters: Messenger's button template takes it, LINE's
		// (160) does not.
		long := apiModule(t, client, "long", strings.Repeat("長", 200))
		refused := body(map[string]any{"type": "bot_card", "bot_module_id": long})
		r = client.postJSON("/api/v1/broadcasts", refused)
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "card_text_too_long")
		if r.errorField() != "messages[0].bot_module_id" || !strings.Contains(r.errorMessage(), "200") || !strings.Contains(r.errorMessage(), "160") {
			t.Fatalf("field %q message %q", r.errorField(), r.errorMessage())
		}
		client.lang = "zh-TW"
		r = client.postJSON("/api/v1/broadcasts", refused)
		if msg := r.errorMessage(); !strings.Contains(msg, "卡片文字共 200 個字元") || !strings.Contains(msg, "160") {
			t.Fatalf("zh-TW message %q", msg)
		}
		r = client.postJSON("/api/v1/broadcasts", body(text, map[string]any{"type": "image", "upload_id": 4242}))
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "upload_not_found")
		if r.errorField() != "messages[1].upload_id" || r.errorMessage() != "這張圖片已不存在，請重新上傳。" {
			t.Fatalf("field %q message %q", r.errorField(), r.errorMessage())
		}
		r = client.postJSON("/api/v1/broadcasts", body(text, map[string]any{"type": "bot_card", "bot_module_id": card}))
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "bot_card_alone")

		var n int64
		db.Model(&models.Broadcast{}).Count(&n)
		if n != 2 {
			t.Fatalf("%d broadcasts, want the 2 accepted", n)
		}
	})
}

// TestAPIBroadcastPromotionLocks: promotional content under a message
// tag is flagged by a dry run (nothing locked), refused and locking when
// created for real; then every tagged broadcast is refused while standard
// messages still go.
func TestAPIBroadcastPromotionLocks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		client := app.apiClientFor("mia@example.com", models.RoleMarketer)
		ch := app.channel(channels.KindMessenger, "http://127.0.0.1:9")
		recent := app.clock.Now().Add(-time.Hour)
		ids := []string{"psid-1", "psid-2"}
		for _, ext := range ids {
			c := models.Contact{ChannelID: ch.ID, ExternalID: ext, Name: ext, Subscribed: true, LastInteractionAt: &recent}
			if err := db.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
		}
		promo := "您的帳戶已升級，現在下單享 9 折"
		body := func(tag, text string) map[string]any {
			return map[string]any{"channel_id": ch.ID, "subject": "帳戶通知", "message_tag": tag,
				"audience": map[string]any{"external_ids": ids}, "messages": []map[string]any{{"type": "text", "text": text}}}
		}
		locked := func() bool {
			got, err := models.FindChannel(db, ch.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.TagBroadcastLocked
		}

		dry := body(models.TagAccountUpdate, promo)
		dry["dry_run"] = true
		r := client.postJSON("/api/v1/broadcasts", dry)
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "promotional_content")
		if r.errorField() != "messages" || !strings.Contains(r.errorMessage(), "9 折") || locked() {
			t.Fatalf("dry run: field %q message %q locked %v", r.errorField(), r.errorMessage(), locked())
		}

		client.lang = "zh-TW"
		r = client.postJSON("/api/v1/broadcasts", body(models.TagAccountUpdate, promo))
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "promotional_content")
		if !strings.HasPrefix(r.errorMessage(), "使用訊息標籤時不可包含促銷內容") || !locked() {
			t.Fatalf("create: message %q locked %v", r.errorMessage(), locked())
		}
		got, _ := models.FindChannel(db, ch.ID)
		u, _ := models.FindUserByEmail(db, "mia@example.com")
		if got.TagLockReason != models.LockPromotional || got.TagLockText != promo || got.TagLockedBy == nil || *got.TagLockedBy != u.ID {
			t.Fatalf("lock %+v", got)
		}

		r = client.postJSON("/api/v1/broadcasts", body(models.TagPostPurchase, "訂單已出貨"))
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "tag_broadcast_locked")
		if r.errorField() != "message_tag" || !strings.Contains(r.errorMessage(), "鎖定") {
			t.Fatalf("locked: field %q message %q", r.errorField(), r.errorMessage())
		}
		r = client.postJSON("/api/v1/broadcasts", body(models.TagStandard, promo))
		wantAPIStatus(t, r, http.StatusCreated, "")
		var n int64
		db.Model(&models.Broadcast{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d broadcasts, want the standard one", n)
		}
	})
}
