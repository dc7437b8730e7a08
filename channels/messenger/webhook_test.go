package messenger

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/channels/meta"
)

// Fixtures follow the examples of Meta's Messenger Platform webhook
// reference (messages, message_echoes, messaging_postbacks,
// messaging_optins, message_deliveries, message_reads), with placeholder
// ids replaced by concrete values.
var fixtures = map[string]string{
	"message text": `{"object":"page","entry":[{"id":"PAGE_ID","time":1458692752478,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752478,
		 "message":{"mid":"m_1457764197618:41d102a3e1ae206a38","text":"hello, world!"}}]}]}`,
	"message quick reply": `{"object":"page","entry":[{"id":"PAGE_ID","time":1458692752478,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752478,
		 "message":{"mid":"m_QR","text":"Red","quick_reply":{"payload":"DEVELOPER_DEFINED_PAYLOAD"}}}]}]}`,
	"message attachments": `{"object":"page","entry":[{"id":"PAGE_ID","time":1458692752478,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752478,
		 "message":{"mid":"m_ATT","attachments":[
			{"type":"image","payload":{"url":"https://scontent.example/image.jpg","sticker_id":369239263222822}},
			{"type":"location","payload":{"coordinates":{"lat":25.03,"long":121.56}}},
			{"type":"fallback","payload":null,"title":"Shared link","URL":"https://example.com"}]}}]}]}`,
	"echo": `{"object":"page","entry":[{"id":"PAGE_ID","time":1457764198246,"messaging":[
		{"sender":{"id":"PAGE_ID"},"recipient":{"id":"PSID_1"},"timestamp":1457764197627,
		 "message":{"is_echo":true,"app_id":1517776481860111,"metadata":"DEVELOPER_DEFINED_METADATA_STRING",
		 "mid":"m_1457764197618:41d102a3e1ae206a38","text":"hello from the page"}}]}]}`,
	"postback": `{"object":"page","entry":[{"id":"PAGE_ID","time":1527459824000,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1527459824000,
		 "postback":{"mid":"m_PB","title":"Get Started","payload":"GET_STARTED",
		 "referral":{"ref":"campaign-7","source":"SHORTLINK","type":"OPEN_THREAD"}}}]}]}`,
	"postback without mid": `{"object":"page","entry":[{"id":"PAGE_ID","time":1527459824000,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1527459824000,
		 "postback":{"title":"Yes","payload":"YES"}}]}]}`,
	"optin plugin": `{"object":"page","entry":[{"id":"PAGE_ID","time":1234567890000,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1234567890000,
		 "optin":{"ref":"PASS_THROUGH_PARAM"}}]}]}`,
	"optin marketing": `{"object":"page","entry":[{"id":"PAGE_ID","time":1687000000000,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":"1687000000000",
		 "optin":{"type":"notification_messages","payload":"WEEKLY_DEALS","notification_messages_token":"TOKEN",
		 "notification_messages_timezone":"Asia/Taipei","token_expiry_timestamp":"1702000000000",
		 "user_token_status":"NOT_REFRESHED","title":"Weekly deals"}}]}]}`,
	"optin checkbox": `{"object":"page","entry":[{"id":"PAGE_ID","time":1234567890000,"messaging":[
		{"recipient":{"id":"PAGE_ID"},"timestamp":1234567890000,
		 "optin":{"ref":"PASS_THROUGH_PARAM","user_ref":"REF_FROM_CHECKBOX_PLUGIN"}}]}]}`,
	"delivery": `{"object":"page","entry":[{"id":"PAGE_ID","time":1458668856451,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},
		 "delivery":{"mids":["mid.1458668856218:ed81099e15d3f4f233"],"watermark":1458668856253}}]}]}`,
	"delivery without mids": `{"object":"page","entry":[{"id":"PAGE_ID","time":1458668856451,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1458668856463,
		 "delivery":{"watermark":1458668856253}}]}]}`,
	"read": `{"object":"page","entry":[{"id":"PAGE_ID","time":1458668856463,"messaging":[
		{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1458668856463,
		 "read":{"watermark":1458668856253}}]}]}`,
	"batched with standby and unknown": `{"object":"page","entry":[
		{"id":"PAGE_ID","time":1458692752478,"messaging":[
			{"sender":{"id":"PSID_1"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752478,"message":{"mid":"m_A","text":"a"}},
			{"sender":{"id":"PSID_2"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752479,
			 "reaction":{"reaction":"love","emoji":"❤️","action":"react","mid":"m_A"}},
			{"sender":{"id":"PSID_2"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752480,"message":{"mid":"m_B","text":"b"}}]},
		{"id":"PAGE_ID","time":1458692752490,"standby":[
			{"sender":{"id":"PSID_3"},"recipient":{"id":"PAGE_ID"},"timestamp":1458692752490,"message":{"mid":"m_S","text":"s"}}]}]}`,
}

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func TestParseWebhookFixtures(t *testing.T) {
	cases := []struct {
		fixture string
		want    []channels.Event
	}{
		{"message text", []channels.Event{{Kind: channels.EventMessage, UserID: "PSID_1", Time: ms(1458692752478),
			MessageID: "m_1457764197618:41d102a3e1ae206a38", DedupeKey: "m_1457764197618:41d102a3e1ae206a38", Text: "hello, world!"}}},
		{"message quick reply", []channels.Event{{Kind: channels.EventMessage, UserID: "PSID_1", Time: ms(1458692752478),
			MessageID: "m_QR", DedupeKey: "m_QR", Text: "Red", Payload: "DEVELOPER_DEFINED_PAYLOAD"}}},
		{"message attachments", []channels.Event{{Kind: channels.EventMessage, UserID: "PSID_1", Time: ms(1458692752478),
			MessageID: "m_ATT", DedupeKey: "m_ATT"}}},
		{"echo", nil},
		{"postback", []channels.Event{{Kind: channels.EventPostback, UserID: "PSID_1", Time: ms(1527459824000),
			MessageID: "m_PB", DedupeKey: "m_PB", Text: "Get Started", Payload: "GET_STARTED"}}},
		{"optin checkbox", nil},
		{"delivery", []channels.Event{{Kind: channels.EventDelivery, UserID: "PSID_1", Time: ms(1458668856451),
			MessageIDs: []string{"mid.1458668856218:ed81099e15d3f4f233"}, Watermark: ms(1458668856253)}}},
		{"delivery without mids", []channels.Event{{Kind: channels.EventDelivery, UserID: "PSID_1", Time: ms(1458668856463),
			Watermark: ms(1458668856253)}}},
		{"read", []channels.Event{{Kind: channels.EventRead, UserID: "PSID_1", Time: ms(1458668856463), Watermark: ms(1458668856253)}}},
		{"optin plugin", []channels.Event{{Kind: channels.EventOptin, UserID: "PSID_1", Time: ms(1234567890000), Payload: "PASS_THROUGH_PARAM"}}},
		{"optin marketing", []channels.Event{{Kind: channels.EventOptin, UserID: "PSID_1", Time: ms(1687000000000), Payload: "WEEKLY_DEALS"}}},
		{"postback without mid", []channels.Event{{Kind: channels.EventPostback, UserID: "PSID_1", Time: ms(1527459824000), Text: "Yes", Payload: "YES"}}},
		{"batched with standby and unknown", []channels.Event{
			{Kind: channels.EventMessage, UserID: "PSID_1", Time: ms(1458692752478), MessageID: "m_A", DedupeKey: "m_A", Text: "a"},
			{Kind: channels.EventMessage, UserID: "PSID_2", Time: ms(1458692752480), MessageID: "m_B", DedupeKey: "m_B", Text: "b"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			got, err := ParseWebhook([]byte(fixtures[tc.fixture]))
			if err != nil {
				t.Fatal(err)
			}
			// Hash-based dedupe keys are checked separately; here only that they are set.
			for i := range got {
				if got[i].DedupeKey == "" {
					t.Errorf("event %d has no dedupe key", i)
				}
				if i < len(tc.want) && tc.want[i].DedupeKey == "" {
					got[i].DedupeKey = ""
				}
				if want := entryIDs(t, fixtures[tc.fixture]); got[i].AccountID == "" || !slices.Contains(want, got[i].AccountID) {
					t.Errorf("event %d: AccountID = %q, want one of the entry ids %q", i, got[i].AccountID, want)
				}
				got[i].AccountID = ""
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("events\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	for name := range fixtures {
		found := name == "optin checkbox" || name == "echo"
		for _, tc := range cases {
			found = found || tc.fixture == name
		}
		if !found {
			t.Errorf("fixture %q is not checked", name)
		}
	}
}

// Keys derived from event content must be stable across redeliveries and
// differ between distinct events.
func TestDedupeKeysStableAndDistinct(t *testing.T) {
	keys := map[string]string{}
	for _, name := range []string{"postback without mid", "optin plugin", "optin marketing", "delivery", "delivery without mids", "read"} {
		a, _ := ParseWebhook([]byte(fixtures[name]))
		b, _ := ParseWebhook([]byte(fixtures[name]))
		if len(a) != 1 || len(b) != 1 || a[0].DedupeKey != b[0].DedupeKey {
			t.Fatalf("%s: unstable or missing key: %+v / %+v", name, a, b)
		}
		if other, dup := keys[a[0].DedupeKey]; dup {
			t.Errorf("%s and %s share dedupe key %s", name, other, a[0].DedupeKey)
		}
		keys[a[0].DedupeKey] = name
	}
	one := `{"object":"page","entry":[{"messaging":[{"sender":{"id":"P"},"timestamp":1,"postback":{"payload":"A"}}]}]}`
	two := `{"object":"page","entry":[{"messaging":[{"sender":{"id":"P"},"timestamp":1,"postback":{"payload":"B"}}]}]}`
	a, _ := ParseWebhook([]byte(one))
	b, _ := ParseWebhook([]byte(two))
	if a[0].DedupeKey == b[0].DedupeKey {
		t.Error("different payloads share a dedupe key")
	}
}

func TestParseWebhookTolerance(t *testing.T) {
	for name, body := range map[string]string{
		"instagram object": `{"object":"instagram","entry":[{"messaging":[{"sender":{"id":"X"},"message":{"mid":"m","text":"t"}}]}]}`,
		"missing object":   `{"entry":[{"messaging":[{"sender":{"id":"X"},"message":{"mid":"m","text":"t"}}]}]}`,
		"whatsapp":         `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}`,
		"null":             `null`,
		"array":            `[]`,
		"entry not array":  `{"object":"page","entry":"x"}`,
		"no entries":       `{"object":"page","entry":[]}`,
		"empty messaging":  `{"object":"page","entry":[{"id":"1","time":1,"messaging":[]}]}`,
		"item not object":  `{"object":"page","entry":[{"messaging":[1,"x",null]}]}`,
	} {
		evs, err := ParseWebhook([]byte(body))
		if err != nil || len(evs) != 0 {
			t.Errorf("%s: %v %+v, want no events and no error", name, evs, err)
		}
	}
	for name, body := range map[string]string{"empty": ``, "truncated": `{"object":"page","entry":[`, "garbage": `<xml/>`} {
		if _, err := ParseWebhook([]byte(body)); err == nil {
			t.Errorf("%s: malformed JSON accepted", name)
		}
	}
}

// A field of the wrong type loses only that field, not the event.
func TestParseWebhookOddTypes(t *testing.T) {
	body := `{"object":"page","entry":[{"time":"soon","messaging":[
		{"sender":{"id":"P"},"timestamp":1458692752478,"message":{"mid":"m_1","text":42}},
		{"sender":{"id":"P"},"timestamp":{"x":1},"message":{"mid":"m_2","text":"ok"}}]}]}`
	evs, err := ParseWebhook([]byte(body))
	if err != nil || len(evs) != 2 {
		t.Fatalf("events %+v, err %v", evs, err)
	}
	if evs[0].MessageID != "m_1" || evs[0].Text != "" || !evs[1].Time.IsZero() || evs[1].Text != "ok" {
		t.Errorf("events %+v", evs)
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(fixtures["message text"])
	good := meta.Sign("app-secret", body)
	if err := VerifySignature("app-secret", body, good); err != nil {
		t.Errorf("good signature refused: %v", err)
	}
	for name, header := range map[string]string{"missing": "", "wrong secret": meta.Sign("other", body),
		"sha1": "sha1=" + good[len("sha256="):], "garbled": "sha256=xyz"} {
		if VerifySignature("app-secret", body, header) == nil {
			t.Errorf("%s signature accepted", name)
		}
	}
	if VerifySignature("app-secret", append(body, '\n'), good) == nil {
		t.Error("signature of a different body accepted")
	}
}

// entryIDs lists the entry[].id values of a webhook body.
func entryIDs(t testing.TB, body string) []string {
	t.Helper()
	var env struct {
		Entry []struct {
			ID json.RawMessage `json:"id"`
		} `json:"entry"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("entry ids: %v", err)
	}
	var ids []string
	for _, e := range env.Entry {
		ids = append(ids, strings.Trim(string(e.ID), `"`))
	}
	return ids
}

// One app's Pages share a callback URL, and one delivery can batch entries
// of several Pages: each event names its own Page.
func TestParseWebhookNamesEachEntrysPage(t *testing.T) {
	body := `{"object":"page","entry":[
		{"id":"111","time":1458692752478,"messaging":[{"sender":{"id":"PSID_A"},"recipient":{"id":"111"},"timestamp":1458692752478,"message":{"mid":"m_A","text":"a"}}]},
		{"id":222,"time":1458692752478,"messaging":[{"sender":{"id":"PSID_B"},"recipient":{"id":"222"},"timestamp":1458692752478,"message":{"mid":"m_B","text":"b"}}]},
		{"time":1458692752478,"messaging":[{"sender":{"id":"PSID_C"},"recipient":{"id":"333"},"timestamp":1458692752478,"message":{"mid":"m_C","text":"c"}}]}]}`
	got, err := ParseWebhook([]byte(body))
	if err != nil || len(got) != 3 {
		t.Fatalf("%v %+v", err, got)
	}
	for i, want := range []string{"111", "222", ""} {
		if got[i].AccountID != want {
			t.Errorf("event %d (%s): AccountID = %q, want %q", i, got[i].UserID, got[i].AccountID, want)
		}
	}
}
