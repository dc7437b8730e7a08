package web

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"omnicast/channels/meta"
	"omnicast/models"
	"omnicast/models/dbtest"
)

func lineSign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (a *testApp) channel(kind, apiBase string) *models.Channel {
	a.t.Helper()
	ch, err := models.CreateChannel(a.db, a.srv.sealer, models.ChannelInput{
		Kind: kind, Name: kind, ExternalID: "ext-" + kind, WABAID: "waba-1",
		Token: "token-" + kind + "-1234", Secret: "secret-" + kind, APIBaseURL: apiBase,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return ch
}

// hook posts a webhook body with the given signature header.
func (a *testApp) hook(path, header, sig string, body []byte) (int, string) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.http.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if header != "" {
		req.Header.Set(header, sig)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func countContacts(t *testing.T, db *gorm.DB) int64 {
	var n int64
	if err := db.Model(&models.Contact{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func lineFollow(eventID, user string, ms int64, redelivery bool) []byte {
	return []byte(fmt.Sprintf(`{"destination":"Uxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","events":[{"type":"follow","mode":"active","timestamp":%d,"webhookEventId":%q,"deliveryContext":{"isRedelivery":%v},"source":{"type":"user","userId":%q},"replyToken":"r","follow":{"isUnblocked":false}},{"type":"memberJoined","mode":"active","timestamp":%d,"webhookEventId":"other","deliveryContext":{"isRedelivery":false},"source":{"type":"group","groupId":"C1"},"joined":{"members":[]}}]}`, ms, eventID, redelivery, user, ms))
}

func TestLINEWebhook(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		ch := app.channel("line", "")
		path := fmt.Sprintf("/webhooks/line/%d", ch.ID)
		user := "U4af4980629a0b8f9e1d0e4fa7f3a6f0b"
		body := lineFollow("01HZ0000000000000000000001", user, 1764000000000, false)

		for _, c := range []struct {
			name, sig string
			want      int
		}{
			{"missing signature", "", http.StatusUnauthorized},
			{"wrong signature", lineSign("other secret", body), http.StatusUnauthorized},
		} {
			header := "X-Line-Signature"
			if c.sig == "" {
				header = ""
			}
			if got, _ := app.hook(path, header, c.sig, body); got != c.want {
				t.Fatalf("%s: %d, want %d", c.name, got, c.want)
			}
		}
		if n := countContacts(t, db); n != 0 {
			t.Fatalf("refused webhooks stored %d contacts", n)
		}
		if got, _ := app.hook("/webhooks/line/9999", "X-Line-Signature", lineSign("secret-line", body), body); got != http.StatusNotFound {
			t.Fatalf("unknown channel: %d", got)
		}
		if got, _ := app.hook(fmt.Sprintf("/webhooks/messenger/%d", ch.ID), meta.SignatureHeader, meta.Sign("secret-line", body), body); got != http.StatusNotFound {
			t.Fatalf("channel of another kind: %d", got)
		}
		malformed := []byte(`{"events":[{"type":`)
		if got, _ := app.hook(path, "X-Line-Signature", lineSign("secret-line", malformed), malformed); got != http.StatusBadRequest {
			t.Fatalf("malformed: %d", got)
		}
		huge := append([]byte(`{"events":[],"x":"`), bytes.Repeat([]byte("a"), maxWebhookBody)...)
		huge = append(huge, []byte(`"}`)...)
		if got, _ := app.hook(path, "X-Line-Signature", lineSign("secret-line", huge), huge); got != http.StatusRequestEntityTooLarge {
			t.Fatalf("huge: %d", got)
		}
		empty := []byte(`{"destination":"U1","events":[]}`)
		if got, _ := app.hook(path, "X-Line-Signature", lineSign("secret-line", empty), empty); got != http.StatusOK {
			t.Fatalf("connectivity check: %d", got)
		}

		if got, msg := app.hook(path, "X-Line-Signature", lineSign("secret-line", body), body); got != http.StatusOK {
			t.Fatalf("signed follow: %d %s", got, msg)
		}
		c, err := models.FindContact(db, ch.ID, user)
		if err != nil || !c.Subscribed || c.SubscribedAt.UnixMilli() != 1764000000000 {
			t.Fatalf("contact after follow: %+v %v", c, err)
		}
		// An unfollow, then the follow redelivered: the redelivery changes nothing.
		unfollow := []byte(fmt.Sprintf(`{"destination":"U1","events":[{"type":"unfollow","mode":"active","timestamp":1764000100000,"webhookEventId":"01HZ0000000000000000000002","deliveryContext":{"isRedelivery":false},"source":{"type":"user","userId":%q}}]}`, user))
		app.hook(path, "X-Line-Signature", lineSign("secret-line", unfollow), unfollow)
		again := lineFollow("01HZ0000000000000000000001", user, 1764000000000, true)
		if got, _ := app.hook(path, "X-Line-Signature", lineSign("secret-line", again), again); got != http.StatusOK {
			t.Fatalf("redelivery: %d", got)
		}
		if c, _ := models.FindContact(db, ch.ID, user); c.Subscribed {
			t.Fatal("a redelivered follow resubscribed the contact")
		}
		if n := countContacts(t, db); n != 1 {
			t.Fatalf("contacts = %d, want 1", n)
		}
	})
}

func TestMetaWebhookHandshakeAndMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		var profileCalls atomic.Int32
		graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/PSID-1") {
				profileCalls.Add(1)
				fmt.Fprint(w, `{"first_name":"怡君","last_name":"陳","profile_pic":"https://example.com/a.jpg","id":"PSID-1"}`)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"message":"No profile available for that user.","type":"OAuthException","code":100,"error_subcode":2018218,"fbtrace_id":"x"}}`)
		}))
		defer graph.Close()
		app := newTestApp(t, db)
		ch := app.channel("messenger", graph.URL)
		path := fmt.Sprintf("/webhooks/messenger/%d", ch.ID)

		res, _ := http.Get(app.http.URL + path + "?hub.mode=subscribe&hub.verify_token=" + ch.VerifyToken + "&hub.challenge=1158201444")
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || string(b) != "1158201444" {
			t.Fatalf("handshake: %d %q", res.StatusCode, b)
		}
		res, _ = http.Get(app.http.URL + path + "?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("bad handshake: %d", res.StatusCode)
		}

		body := []byte(`{"object":"page","entry":[{"id":"ext-messenger","time":1764000000000,"messaging":[
			{"sender":{"id":"PSID-1"},"recipient":{"id":"ext-messenger"},"timestamp":1764000000000,"message":{"mid":"m_1","text":"你好"}},
			{"sender":{"id":"ext-messenger"},"recipient":{"id":"PSID-1"},"timestamp":1764000000500,"message":{"mid":"m_echo","is_echo":true,"text":"hi"}},
			{"sender":{"id":"PSID-2"},"recipient":{"id":"ext-messenger"},"timestamp":1764000001000,"postback":{"title":"Start","payload":"GET_STARTED","mid":"m_2"}}]}]}`)
		if got, _ := app.hook(path, meta.SignatureHeader, "sha256=00", body); got != http.StatusUnauthorized {
			t.Fatalf("forged: %d", got)
		}
		if got, msg := app.hook(path, meta.SignatureHeader, meta.Sign("secret-messenger", body), body); got != http.StatusOK {
			t.Fatalf("signed: %d %s", got, msg)
		}
		c1, err := models.FindContact(db, ch.ID, "PSID-1")
		if err != nil || c1.Name != "陳怡君" {
			t.Fatalf("PSID-1: %+v %v", c1, err)
		}
		if c1.LastInteractionAt == nil || c1.LastInteractionAt.UnixMilli() != 1764000000000 || !c1.Subscribed {
			t.Fatalf("PSID-1 interaction: %+v", c1)
		}
		c2, err := models.FindContact(db, ch.ID, "PSID-2")
		if err != nil || c2.Name != "" || c2.LastInteractionAt.UnixMilli() != 1764000001000 {
			t.Fatalf("PSID-2 (no profile): %+v %v", c2, err)
		}
		if n := countContacts(t, db); n != 2 {
			t.Fatalf("contacts = %d (echoes must be ignored)", n)
		}
		app.hook(path, meta.SignatureHeader, meta.Sign("secret-messenger", body), body)
		if profileCalls.Load() != 1 {
			t.Fatalf("profile fetched %d times", profileCalls.Load())
		}
	})
}

func TestWhatsAppWebhookCreatesContactWithNameAndPhone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		ch := app.channel("whatsapp", "")
		body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"waba-1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"ext-whatsapp"},
			"contacts":[{"profile":{"name":"Wong Ka Ming"},"wa_id":"85291234567"}],
			"messages":[{"from":"85291234567","id":"wamid.A1","timestamp":"1764000000","type":"text","text":{"body":"hello"}}],
			"statuses":[{"id":"wamid.OUT","status":"delivered","timestamp":"1764000005","recipient_id":"85291234567"}]}}]}]}`)
		path := fmt.Sprintf("/webhooks/whatsapp/%d", ch.ID)
		if got, msg := app.hook(path, meta.SignatureHeader, meta.Sign("secret-whatsapp", body), body); got != http.StatusOK {
			t.Fatalf("signed: %d %s", got, msg)
		}
		c, err := models.FindContact(db, ch.ID, "85291234567")
		if err != nil || c.Name != "Wong Ka Ming" || c.Phone != "+85291234567" || c.LastInteractionAt.Unix() != 1764000000 {
			t.Fatalf("contact: %+v %v", c, err)
		}
		var receipts []models.ReceiptEvent
		db.Find(&receipts)
		if len(receipts) != 1 || receipts[0].Status != "delivered" || receipts[0].MessageID != "wamid.OUT" {
			t.Fatalf("receipts: %+v", receipts)
		}
	})
}

func TestInstagramWebhook(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		ch := app.channel("instagram", "http://127.0.0.1:1")
		body := []byte(`{"object":"instagram","entry":[{"id":"ext-instagram","time":1764000000000,"messaging":[{"sender":{"id":"IGSID-1"},"recipient":{"id":"ext-instagram"},"timestamp":1764000000000,"message":{"mid":"ig_m_1","text":"hi"}}]}]}`)
		path := fmt.Sprintf("/webhooks/instagram/%d", ch.ID)
		if got, msg := app.hook(path, meta.SignatureHeader, meta.Sign("secret-instagram", body), body); got != http.StatusOK {
			t.Fatalf("signed: %d %s", got, msg)
		}
		if _, err := models.FindContact(db, ch.ID, "IGSID-1"); err != nil {
			t.Fatalf("instagram contact: %v", err)
		}
	})
}
