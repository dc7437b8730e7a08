package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/meta"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// Regression tests for issue 7, "bad input must never break a channel or
// lose the rest of a delivery", all through the real handler with signed
// bodies, on both databases.

// unreachableAPI refuses connections at once: profile and quota look-ups
// fail fast instead of reaching a real platform.
const unreachableAPI = "http://127.0.0.1:1"

// connect adds a channel of kind for the platform account externalID,
// signing its webhooks with secret.
func (a *testApp) connect(kind, externalID, secret string) *models.Channel {
	a.t.Helper()
	ch, err := models.CreateChannel(a.db, a.srv.sealer, models.ChannelInput{
		Kind: kind, Name: kind + " " + externalID, ExternalID: externalID, WABAID: "waba-1",
		Token: "token-" + externalID, Secret: secret, APIBaseURL: unreachableAPI,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return ch
}

// deliver posts body to ch's webhook URL, signed with secret as ch's kind
// signs.
func (a *testApp) deliver(ch *models.Channel, secret, body string) (int, string) {
	a.t.Helper()
	path := fmt.Sprintf("/webhooks/%s/%d", ch.Kind, ch.ID)
	if ch.Kind == channels.KindLINE {
		return a.hook(path, "X-Line-Signature", lineSign(secret, []byte(body)), []byte(body))
	}
	return a.hook(path, meta.SignatureHeader, meta.Sign(secret, []byte(body)), []byte(body))
}

func mustDeliver(t *testing.T, a *testApp, ch *models.Channel, secret, body string) {
	t.Helper()
	if got, msg := a.deliver(ch, secret, body); got != http.StatusOK {
		t.Fatalf("delivery to %s %d: %d %s\n%s", ch.Kind, ch.ID, got, msg, body)
	}
}

func contactsOf(t *testing.T, db *gorm.DB, ch *models.Channel) map[string]models.Contact {
	t.Helper()
	var list []models.Contact
	if err := db.Where("channel_id = ?", ch.ID).Find(&list).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]models.Contact{}
	for _, c := range list {
		out[c.ExternalID] = c
	}
	return out
}

func lineEvents(events ...string) string {
	return `{"destination":"Ubot0000000000000000000000000000","events":[` + strings.Join(events, ",") + `]}`
}

func lineEvent(kind, eventID, user string, ms int64, extra string) string {
	return fmt.Sprintf(`{"type":%q,"mode":"active","timestamp":%d,"webhookEventId":%q,"deliveryContext":{"isRedelivery":false},"source":{"type":"user","userId":%q},"replyToken":"r"%s}`,
		kind, ms, eventID, user, extra)
}

func messengerBody(object string, entries ...string) string {
	return `{"object":"` + object + `","entry":[` + strings.Join(entries, ",") + `]}`
}

func messengerEntry(account string, items ...string) string {
	return `{"id":"` + account + `","time":1764000000000,"messaging":[` + strings.Join(items, ",") + `]}`
}

func messengerMessage(user, account, mid string, ms int64) string {
	return fmt.Sprintf(`{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":%q,"text":"hi"}}`, user, account, ms, mid)
}

func whatsAppBody(changes ...string) string {
	return `{"object":"whatsapp_business_account","entry":[{"id":"waba-1","changes":[` + strings.Join(changes, ",") + `]}]}`
}

func whatsAppChange(number, contacts, messages, statuses string) string {
	return `{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"` + number +
		`"},"contacts":[` + contacts + `],"messages":[` + messages + `],"statuses":[` + statuses + `]}}`
}

func whatsAppMessage(from, id, unix string) string {
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":%q,"type":"text","text":{"body":"hello"}}`, from, id, unix)
}

// A LINE timestamp of 253402300800000 is 10000-01-01: the time that used
// to break SQLite for the whole channel.
const year10000ms = 253402300800000

func TestWebhookImpossibleTimesBecomeTheReceiveTime(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		received := app.clock.Now()
		line := app.connect(channels.KindLINE, "1650000001", "line-secret")
		messenger := app.connect(channels.KindMessenger, "page-1", "app-secret")
		instagram := app.connect(channels.KindInstagram, "ig-1", "app-secret")
		whatsapp := app.connect(channels.KindWhatsApp, "number-1", "app-secret")

		mustDeliver(t, app, line, "line-secret", lineEvents(
			lineEvent("follow", "E-future", "U-future", year10000ms, `,"follow":{"isUnblocked":false}`),
			lineEvent("follow", "E-1970", "U-1970", 1, `,"follow":{"isUnblocked":false}`)))
		mustDeliver(t, app, messenger, "app-secret", messengerBody("page", messengerEntry("page-1",
			messengerMessage("PSID-1", "page-1", "m_1", year10000ms),
			`{"sender":{"id":"PSID-1"},"recipient":{"id":"page-1"},"timestamp":`+fmt.Sprint(year10000ms)+`,"delivery":{"mids":["m_out"],"watermark":`+fmt.Sprint(year10000ms)+`}}`)))
		mustDeliver(t, app, instagram, "app-secret", messengerBody("instagram", messengerEntry("ig-1",
			messengerMessage("IGSID-1", "ig-1", "ig_m_1", year10000ms))))
		mustDeliver(t, app, whatsapp, "app-secret", whatsAppBody(whatsAppChange("number-1",
			`{"profile":{"name":"Wong"},"wa_id":"85291234567"}`,
			whatsAppMessage("85291234567", "wamid.1", "253402300800"),
			`{"id":"wamid.OUT","status":"delivered","timestamp":"253402300800","recipient_id":"85291234567"}`)))

		for _, c := range []struct {
			ch   *models.Channel
			user string
		}{{line, "U-future"}, {line, "U-1970"}, {messenger, "PSID-1"}, {instagram, "IGSID-1"}, {whatsapp, "85291234567"}} {
			got, ok := contactsOf(t, db, c.ch)[c.user]
			if !ok {
				t.Fatalf("%s: no contact %s", c.ch.Kind, c.user)
			}
			when := got.SubscribedAt
			if c.ch.Kind != channels.KindLINE {
				when = got.LastInteractionAt
			}
			if when == nil || !when.Equal(received) {
				t.Errorf("%s %s: time %v, want the receive time %v", c.ch.Kind, c.user, when, received)
			}
		}
		var receipts []models.ReceiptEvent
		if err := db.Order("id").Find(&receipts).Error; err != nil || len(receipts) != 2 {
			t.Fatalf("receipts: %+v %v", receipts, err)
		}
		for _, r := range receipts {
			if !r.OccurredAt.Equal(received) || (r.Watermark != nil && !r.Watermark.Equal(received)) {
				t.Errorf("%s receipt: occurred %v, watermark %v, want the receive time", r.Kind, r.OccurredAt, r.Watermark)
			}
		}

		// The channel keeps working: its list, its export, later webhooks.
		b := app.browser()
		b.signIn("mei@example.com")
		for _, ch := range []*models.Channel{line, messenger, instagram, whatsapp} {
			wantStatus(t, b.get(fmt.Sprintf("/contacts?channel=%d", ch.ID)), http.StatusOK)
		}
		export := b.get(fmt.Sprintf("/contacts/export?channel=%d", line.ID))
		if export.status != http.StatusOK || !strings.Contains(export.body, "U-future") {
			t.Fatalf("export: %d %q", export.status, export.body)
		}
		mustDeliver(t, app, line, "line-secret", lineEvents(lineEvent("message", "E-later", "U-future", received.UnixMilli(), `,"message":{"type":"text","id":"1","text":"hi"}`)))
	})
}

func TestStoredUnreadableRowNeverTakesAPageDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		app.addUser("mei@example.com", models.RoleMarketer)
		line := app.connect(channels.KindLINE, "1650000001", "line-secret")
		now := app.clock.Now()
		for i, u := range []string{"U-a", "U-b", "U-c"} {
			mustDeliver(t, app, line, "line-secret", lineEvents(lineEvent("message", "E"+u, u, now.Add(-time.Duration(i+1)*time.Hour).UnixMilli(), `,"message":{"type":"text","id":"1","text":"hi"}`)))
		}
		// An older version stored year 10000 for U-b.
		bad := contactsOf(t, db, line)["U-b"]
		value := "10000-01-01 00:00:00+00:00"
		if models.IsPostgres(db) {
			value = "10000-01-01 00:00:00+00"
		}
		if err := db.Exec("UPDATE contacts SET last_interaction_at = ? WHERE id = ?", value, bad.ID).Error; err != nil {
			t.Fatal(err)
		}

		b := app.browser()
		b.signIn("mei@example.com")
		list := fmt.Sprintf("/contacts?channel=%d", line.ID)
		for _, lang := range []struct{ accept, notice string }{
			{"en", "1 contact on this page could not be read and is not shown."},
			{"zh-TW", "此頁有 1 位聯絡人的資料無法讀取，因此未顯示。"},
		} {
			b.lang = lang.accept
			p := b.get(list)
			wantStatus(t, p, http.StatusOK)
			if rows := p.doc.Find(`[data-testid="contact-row"]`).Length(); rows != 2 {
				t.Errorf("%s: %d rows, want the 2 readable ones", lang.accept, rows)
			}
			if got := p.text(`[data-testid="unreadable-notice"]`); !strings.Contains(got, lang.notice) {
				t.Errorf("%s: notice %q, want %q", lang.accept, got, lang.notice)
			}
		}
		b.lang = "en"
		req, _ := http.NewRequest(http.MethodGet, app.http.URL+list+"&status=all", nil)
		req.Header.Set("HX-Request", "true")
		if frag := b.do(req); frag.status != http.StatusOK || frag.doc.Find(`[data-testid="unreadable-notice"]`).Length() != 1 {
			t.Errorf("filter fragment: %d, notice shown %d times", frag.status, frag.doc.Find(`[data-testid="unreadable-notice"]`).Length())
		}
		export := b.get(fmt.Sprintf("/contacts/export?channel=%d", line.ID))
		if export.status != http.StatusOK || !strings.Contains(export.body, "U-a,") || !strings.Contains(export.body, "U-c,") {
			t.Fatalf("export: %d %q", export.status, export.body)
		}

		// The person writes again: 200, and the row is mended.
		mustDeliver(t, app, line, "line-secret", lineEvents(lineEvent("message", "E-again", "U-b", now.UnixMilli(), `,"message":{"type":"text","id":"2","text":"hi"}`)))
		c, err := models.FindContact(db, line.ID, "U-b")
		if err != nil || !c.LastInteractionAt.Equal(now) {
			t.Fatalf("after the next message: %+v %v", c, err)
		}
		p := b.get(list)
		if p.doc.Find(`[data-testid="contact-row"]`).Length() != 3 || p.doc.Find(`[data-testid="unreadable-notice"]`).Length() != 0 {
			t.Fatalf("after the repair: %d rows, notice %q", p.doc.Find(`[data-testid="contact-row"]`).Length(), p.text(`[data-testid="unreadable-notice"]`))
		}
	})
}

func TestWebhookDropsOnlyTheBadEventsOfADelivery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		now := app.clock.Now().UnixMilli()
		line := app.connect(channels.KindLINE, "1650000001", "line-secret")
		follow := `,"follow":{"isUnblocked":false}`

		long := "U" + strings.Repeat("a", 64) // 65 characters: over contacts.external_id
		// A webhookEventId whose 200th byte falls inside "é": once cut there
		// it was no longer UTF-8, which PostgreSQL refuses.
		cutKey := strings.Repeat("k", 199) + "éé"
		delivery := lineEvents(
			lineEvent("follow", "E-long", long, now, follow),
			lineEvent("follow", "E-ok", "U-ok", now, follow),
			strings.Replace(lineEvent("follow", "E-nul", "U-nul", now, follow), `"U-nul"`, `"U-nul\u0000"`, 1),
			lineEvent("message", cutKey, "U-key", now, `,"message":{"type":"text","id":"1","text":"a\u0000b"}`))
		mustDeliver(t, app, line, "line-secret", delivery)
		mustDeliver(t, app, line, "line-secret", delivery) // redelivered: changes nothing
		got := contactsOf(t, db, line)
		if len(got) != 2 || got["U-ok"].ID == 0 || got["U-key"].ID == 0 {
			t.Fatalf("LINE contacts: %v, want U-ok and U-key only", got)
		}
		var keys int64
		db.Model(&models.WebhookEvent{}).Where("channel_id = ?", line.ID).Count(&keys)
		if keys != 2 {
			t.Fatalf("%d dedupe keys stored, want 2", keys)
		}

		whatsapp := app.connect(channels.KindWhatsApp, "number-1", "app-secret")
		longFrom := strings.Repeat("8", 33)
		longStatus := "wamid." + strings.Repeat("S", 194) // 200: fits; with ":delivered" the key does not
		wa := whatsAppBody(whatsAppChange("number-1",
			`{"profile":{"name":"Too Long"},"wa_id":"`+longFrom+`"},{"profile":{"name":"Wong\u0000 Ka Ming"},"wa_id":"85291234567"}`,
			whatsAppMessage(longFrom, "wamid.L", "1764000000")+","+whatsAppMessage("85291234567", "wamid.OK", "1764000000"),
			`{"id":"`+strings.Repeat("X", 201)+`","status":"read","timestamp":"1764000000","recipient_id":"85291234567"},`+
				`{"id":"`+longStatus+`","status":"delivered","timestamp":"1764000000","recipient_id":"85291234567"}`))
		mustDeliver(t, app, whatsapp, "app-secret", wa)
		mustDeliver(t, app, whatsapp, "app-secret", wa)
		gotWA := contactsOf(t, db, whatsapp)
		if len(gotWA) != 1 || gotWA["85291234567"].Name != "Wong Ka Ming" {
			t.Fatalf("WhatsApp contacts: %+v", gotWA)
		}
		var receipts []models.ReceiptEvent
		db.Where("channel_id = ?", whatsapp.ID).Find(&receipts)
		if len(receipts) != 1 || receipts[0].MessageID != longStatus {
			t.Fatalf("WhatsApp receipts: %+v", receipts)
		}

		messenger := app.connect(channels.KindMessenger, "page-1", "app-secret")
		mustDeliver(t, app, messenger, "app-secret", messengerBody("page", messengerEntry("page-1",
			messengerMessage("PSID-long-mid", "page-1", "m_"+strings.Repeat("x", 199), now),
			messengerMessage("PSID-ok", "page-1", "m_ok", now))))
		gotM := contactsOf(t, db, messenger)
		if len(gotM) != 1 || gotM["PSID-ok"].ID == 0 {
			t.Fatalf("Messenger contacts: %+v", gotM)
		}
	})
}

func TestWebhookAsksForRedeliveryOnlyWhenTheDatabaseIsUnavailable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		line := app.connect(channels.KindLINE, "1650000001", "line-secret")
		now := app.clock.Now().UnixMilli()
		follow := `,"follow":{"isUnblocked":false}`
		delivery := lineEvents(lineEvent("follow", "E-A", "U-A", now, follow), lineEvent("follow", "E-B", "U-B", now, follow))

		// Creating U-B fails, first as an outage would, then for good.
		type failWith struct{ err error }
		var failure atomic.Pointer[failWith]
		err := db.Callback().Create().Before("gorm:create").Register("test:fail_contact_b", func(tx *gorm.DB) {
			if c, ok := tx.Statement.Dest.(*models.Contact); ok && c.ExternalID == "U-B" {
				if f := failure.Load(); f != nil {
					_ = tx.AddError(f.err)
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		failure.Store(&failWith{&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}})
		if got, _ := app.deliver(line, "line-secret", delivery); got != http.StatusServiceUnavailable {
			t.Fatalf("connection reset: %d, want 503 so that LINE redelivers", got)
		}
		failure.Store(&failWith{errors.New("a lasting failure")})
		if got, _ := app.deliver(line, "line-secret", delivery); got != http.StatusOK {
			t.Fatalf("lasting failure: %d, want 200 (the event is dropped)", got)
		}
		got := contactsOf(t, db, line)
		if len(got) != 1 || got["U-A"].ID == 0 {
			t.Fatalf("contacts: %+v, want U-A applied once", got)
		}

		if err := models.Close(db); err != nil {
			t.Fatal(err)
		}
		if got, _ := app.deliver(line, "line-secret", delivery); got != http.StatusServiceUnavailable {
			t.Fatalf("database closed: %d, want 503", got)
		}
	})
}

func TestWebhookForAnAccountNotConnectedIsDropped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		whatsapp := app.connect(channels.KindWhatsApp, "number-1", "app-secret")
		mustDeliver(t, app, whatsapp, "app-secret", whatsAppBody(whatsAppChange("number-elsewhere",
			`{"profile":{"name":"Wong"},"wa_id":"85291234567"}`, whatsAppMessage("85291234567", "wamid.1", "1764000000"), "")))
		messenger := app.connect(channels.KindMessenger, "page-1", "app-secret")
		mustDeliver(t, app, messenger, "app-secret", messengerBody("page", messengerEntry("page-elsewhere", messengerMessage("PSID-1", "page-elsewhere", "m_1", 1764000000000))))
		instagram := app.connect(channels.KindInstagram, "ig-1", "app-secret")
		mustDeliver(t, app, instagram, "app-secret", messengerBody("instagram", messengerEntry("ig-elsewhere", messengerMessage("IGSID-1", "ig-elsewhere", "ig_1", 1764000000000))))
		// Accounts no channel can have: a NUL byte, an id over the column.
		mustDeliver(t, app, messenger, "app-secret", messengerBody("page",
			messengerEntry(`page-1\u0000`, messengerMessage("PSID-2", "page-1", "m_2", 1764000000000)),
			messengerEntry(strings.Repeat("1", 65), messengerMessage("PSID-3", "page-1", "m_3", 1764000000000))))
		if n := countContacts(t, db); n != 0 {
			t.Fatalf("%d contacts filed from deliveries for other accounts", n)
		}
	})
}

// One Meta app, several Pages (or numbers): Meta posts all their events to
// the one callback URL configured in the app, here that of the first
// channel. Each event lands on its own account's channel; an account
// connected under another app's secret, or not connected, gets nothing.
func TestOneMetaAppSeveralAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		for _, kind := range []string{channels.KindMessenger, channels.KindInstagram} {
			object := map[string]string{channels.KindMessenger: "page", channels.KindInstagram: "instagram"}[kind]
			a := app.connect(kind, kind+"-a", "shared-secret")
			b := app.connect(kind, kind+"-b", "shared-secret")
			other := app.connect(kind, kind+"-other-app", "other-secret")
			body := messengerBody(object,
				messengerEntry(kind+"-a", messengerMessage("P-1", kind+"-a", kind+"m1", 1764000000000)),
				messengerEntry(kind+"-b", messengerMessage("P-2", kind+"-b", kind+"m2", 1764000000000),
					messengerMessage("P-3", kind+"-b", kind+"m3", 1764000000000)),
				messengerEntry(kind+"-other-app", messengerMessage("P-4", kind+"-other-app", kind+"m4", 1764000000000)),
				messengerEntry(kind+"-unknown", messengerMessage("P-5", kind+"-unknown", kind+"m5", 1764000000000)))
			mustDeliver(t, app, a, "shared-secret", body)
			mustDeliver(t, app, b, "shared-secret", body) // the same, through the other URL: nothing new
			for _, c := range []struct {
				ch   *models.Channel
				want []string
			}{{a, []string{"P-1"}}, {b, []string{"P-2", "P-3"}}, {other, nil}} {
				got := contactsOf(t, db, c.ch)
				if len(got) != len(c.want) {
					t.Errorf("%s %s: contacts %v, want %v", kind, c.ch.ExternalID, got, c.want)
				}
				for _, u := range c.want {
					if _, ok := got[u]; !ok {
						t.Errorf("%s %s: %s missing", kind, c.ch.ExternalID, u)
					}
				}
			}
		}

		n1 := app.connect(channels.KindWhatsApp, "number-1", "shared-secret")
		n2 := app.connect(channels.KindWhatsApp, "number-2", "shared-secret")
		mustDeliver(t, app, n1, "shared-secret", whatsAppBody(
			whatsAppChange("number-1", `{"profile":{"name":"Chan"},"wa_id":"85260000001"}`, whatsAppMessage("85260000001", "wamid.n1", "1764000000"), ""),
			whatsAppChange("number-2", `{"profile":{"name":"Lee"},"wa_id":"85260000002"}`, whatsAppMessage("85260000002", "wamid.n2", "1764000000"),
				`{"id":"wamid.OUT2","status":"delivered","timestamp":"1764000005","recipient_id":"85260000002"}`)))
		if got := contactsOf(t, db, n1); len(got) != 1 || got["85260000001"].Name != "Chan" {
			t.Errorf("number-1: %+v", got)
		}
		if got := contactsOf(t, db, n2); len(got) != 1 || got["85260000002"].Name != "Lee" {
			t.Errorf("number-2: %+v", got)
		}
		var receipt models.ReceiptEvent
		if err := db.Where("message_id = ?", "wamid.OUT2").First(&receipt).Error; err != nil || receipt.ChannelID != n2.ID {
			t.Errorf("number-2's status filed on channel %d (%v), want %d", receipt.ChannelID, err, n2.ID)
		}
	})
}
