package instagram

import (
	"reflect"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/channels/meta"
)

// Fixtures follow Meta's "Webhooks for Instagram Messaging" examples
// (messages, messaging_postbacks, messaging_seen, echoes, reactions).
var fixtures = map[string]string{
	"message": `{"object":"instagram","entry":[{"id":"IGID","time":1569262486134,"messaging":[
		{"sender":{"id":"IGSID_1"},"recipient":{"id":"IGID"},"timestamp":1569262485349,
		 "message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx","text":"Hi, are you open today?"}}]}]}`,
	"message quick reply": `{"object":"instagram","entry":[{"id":"IGID","time":1569262486134,"messaging":[
		{"sender":{"id":"IGSID_1"},"recipient":{"id":"IGID"},"timestamp":1569262485349,
		 "message":{"mid":"m_QR","text":"Yes","quick_reply":{"payload":"Q_YES"}}}]}]}`,
	"message story reply": `{"object":"instagram","entry":[{"id":"IGID","time":1569262486134,"messaging":[
		{"sender":{"id":"IGSID_1"},"recipient":{"id":"IGID"},"timestamp":1569262485349,
		 "message":{"mid":"m_STORY","text":"Love it","reply_to":{"story":{"url":"https://cdn/story","id":"STORY_ID"}},
		 "attachments":[{"type":"image","payload":{"url":"https://cdn/img"}}]}}]}]}`,
	"echo": `{"object":"instagram","entry":[{"id":"IGID","time":1569262486134,"messaging":[
		{"sender":{"id":"IGID"},"recipient":{"id":"IGSID_1"},"timestamp":1569262485349,
		 "message":{"mid":"m_ECHO","text":"We open at 9","is_echo":true}}]}]}`,
	"deleted": `{"object":"instagram","entry":[{"id":"IGID","time":1569262486134,"messaging":[
		{"sender":{"id":"IGSID_1"},"recipient":{"id":"IGID"},"timestamp":1569262485349,
		 "message":{"mid":"m_DEL","is_deleted":true}}]}]}`,
	"postback": `{"object":"instagram","entry":[{"id":"IGID","time":1569262486134,"messaging":[
		{"sender":{"id":"IGSID_1"},"recipient":{"id":"IGID"},"timestamp":1569262485349,
		 "postback":{"mid":"m_PB","title":"Opening hours","payload":"HOURS"}}]}]}`,
	"seen": `{"object":"instagram","entry":[{"id":"IGID","time":1569262486134,"messaging":[
		{"sender":{"id":"IGSID_1"},"recipient":{"id":"IGID"},"timestamp":1569262485349,
		 "read":{"mid":"m_OUT"}}]}]}`,
	"seen messaging_seen key": `{"object":"instagram","entry":[{"id":"IGID","time":1569262486134,"messaging":[
		{"sender":{"id":"IGSID_1"},"recipient":{"id":"IGID"},"timestamp":1569262485349,
		 "messaging_seen":{"mid":"m_OUT2"}}]}]}`,
	"reaction": `{"object":"instagram","entry":[{"id":"IGID","time":1569262486134,"messaging":[
		{"sender":{"id":"IGSID_1"},"recipient":{"id":"IGID"},"timestamp":1569262485349,
		 "reaction":{"mid":"m_OUT","action":"react","reaction":"love","emoji":"❤️"}}]}]}`,
}

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func TestParseWebhookFixtures(t *testing.T) {
	at := ms(1569262485349)
	cases := map[string][]channels.Event{
		"message": {{Kind: channels.EventMessage, UserID: "IGSID_1", Time: at, MessageID: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx",
			DedupeKey: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx", Text: "Hi, are you open today?"}},
		"message quick reply":     {{Kind: channels.EventMessage, UserID: "IGSID_1", Time: at, MessageID: "m_QR", DedupeKey: "m_QR", Text: "Yes", Payload: "Q_YES"}},
		"message story reply":     {{Kind: channels.EventMessage, UserID: "IGSID_1", Time: at, MessageID: "m_STORY", DedupeKey: "m_STORY", Text: "Love it"}},
		"echo":                    nil,
		"deleted":                 nil,
		"reaction":                nil,
		"postback":                {{Kind: channels.EventPostback, UserID: "IGSID_1", Time: at, MessageID: "m_PB", DedupeKey: "m_PB", Text: "Opening hours", Payload: "HOURS"}},
		"seen":                    {{Kind: channels.EventRead, UserID: "IGSID_1", Time: at, MessageID: "m_OUT", Watermark: at}},
		"seen messaging_seen key": {{Kind: channels.EventRead, UserID: "IGSID_1", Time: at, MessageID: "m_OUT2", Watermark: at}},
	}
	if len(cases) != len(fixtures) {
		t.Fatalf("%d cases for %d fixtures", len(cases), len(fixtures))
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ParseWebhook([]byte(fixtures[name]))
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if got[i].DedupeKey == "" {
					t.Errorf("event %d has no dedupe key", i)
				}
				if i < len(want) && want[i].DedupeKey == "" {
					got[i].DedupeKey = ""
				}
				// Every fixture is addressed to the account IGID (entry[].id).
				if got[i].AccountID != "IGID" {
					t.Errorf("event %d: AccountID = %q, want IGID", i, got[i].AccountID)
				}
				got[i].AccountID = ""
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("events\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseWebhookOtherObjects(t *testing.T) {
	page := `{"object":"page","entry":[{"messaging":[{"sender":{"id":"P"},"timestamp":1,"message":{"mid":"m","text":"t"}}]}]}`
	if evs, err := ParseWebhook([]byte(page)); err != nil || len(evs) != 0 {
		t.Errorf("page body: %+v %v, want nothing", evs, err)
	}
	if _, err := ParseWebhook([]byte(`{"object":"instagram",`)); err == nil {
		t.Error("malformed JSON accepted")
	}
	// Instagram comment notifications use "changes", not "messaging".
	comments := `{"object":"instagram","entry":[{"id":"IGID","time":1,"changes":[{"field":"comments","value":{"id":"C","text":"nice"}}]}]}`
	if evs, err := ParseWebhook([]byte(comments)); err != nil || len(evs) != 0 {
		t.Errorf("comments body: %+v %v, want nothing", evs, err)
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(fixtures["message"])
	if err := VerifySignature("s", body, meta.Sign("s", body)); err != nil {
		t.Errorf("good signature refused: %v", err)
	}
	for name, h := range map[string]string{"missing": "", "bad": meta.Sign("other", body), "malformed": "sha256=zz"} {
		if VerifySignature("s", body, h) == nil {
			t.Errorf("%s signature accepted", name)
		}
	}
}
