package whatsapp

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/channels/meta"
)

// specWebhookExamples returns the JSON of every request example Meta gives
// for the /whatsapp/webhooks pseudo-path, by example name.
func specWebhookExamples(t testing.TB) map[string][]byte {
	t.Helper()
	spec := whatsappSpec(t)
	item := spec.Doc.Paths.Value("/whatsapp/webhooks")
	if item == nil || item.Post == nil || item.Post.RequestBody == nil || item.Post.RequestBody.Value == nil {
		t.Fatal("spec has no POST /whatsapp/webhooks request body")
	}
	mt := item.Post.RequestBody.Value.Content.Get("application/json")
	if mt == nil || len(mt.Examples) == 0 {
		t.Fatal("spec has no webhook examples")
	}
	out := map[string][]byte{}
	for name, ex := range mt.Examples {
		if ex == nil || ex.Value == nil {
			t.Fatalf("example %q has no value", name)
		}
		b, err := json.Marshal(ex.Value.Value)
		if err != nil {
			t.Fatalf("example %q: %v", name, err)
		}
		out[name] = b
	}
	return out
}

// wantEvent is what a test expects of one event; empty fields are not
// checked except Text, Payload and ContextID, which must match exactly.
type wantEvent struct {
	kind      channels.EventKind
	id        string
	user      string
	name      string
	unix      int64
	text      string
	payload   string
	contextID string
	status    string
	errCode   int
	errTitle  string
}

const sheena = "16505551234"

// webhookExpectations covers every example in the spec; a new example in
// an updated spec makes TestParseWebhookSpecExamples fail until it is added.
var webhookExpectations = map[string][]wantEvent{
	"Text Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", user: sheena, name: "Sheena Nelson",
		unix: 1749416383, text: "Does it come in another color?"}},
	"Text Message with Context (Product Inquiry)": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTA2NTUwRkNEMDdFQjJCRUU0NQA=", user: sheena,
		name: "Sheena Nelson", unix: 1750016800, text: "Is this still available?", contextID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA"}},
	"Text Message from Click to WhatsApp Ad": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ0N0VFMDA2MTQ0RkJFNkNDNAA=", user: sheena,
		name: "Sheena Nelson", unix: 1750275992, text: "Hello! Can I get more info on this?"}},
	"Reaction Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", user: sheena, name: "Sheena Nelson",
		unix: 1749419544, text: "👍", contextID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA"}},
	"Image Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", user: sheena, name: "Sheena Nelson",
		unix: 1744344496, text: "Taj Mahal"}},
	"Location Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTU2MjZEMDBGRkE3MENEMDE0RQA=", user: sheena, name: "Sheena Nelson",
		unix: 1744344496}},
	"Contact Sharing Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", user: sheena, name: "Sheena Nelson",
		unix: 1744344496}},
	"Unsupported Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTQyMDU1NTA3NDkVAgASGBI5N0MwRjg0RTVBNUI1RDA2OTkA", user: sheena, name: "Sheena Nelson",
		unix: 1750090702}},
	"Button Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=", user: sheena, name: "Sheena Nelson",
		unix: 1750091045, text: "Unsubscribe", payload: "Unsubscribe", contextID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA"}},
	"Interactive List Reply Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUJDQ0NDM0FEODY4ODkzOTc5RgA=", user: sheena,
		name: "Sheena Nelson", unix: 1749854575, text: "Priority Mail Express", payload: "priority_express", contextID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGMzEyNzhENTZDMzNGODlDRDgA"}},
	"Interactive Button Reply Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=", user: sheena,
		name: "Sheena Nelson", unix: 1750025136, text: "Cancel", payload: "cancel-button", contextID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA"}},
	"Order Message": {{kind: channels.EventMessage, id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTEyQjFGNzI1QTQxMjI5QTMyOQA=", user: sheena, name: "Sheena Nelson",
		unix: 1750096325}},
	// Not written by the person: no event (it must not renew the window).
	"System Message": nil,
	// Group webhooks are other change fields: ignored.
	"Group Create Message":      nil,
	"Group Settings Update":     nil,
	"Group Remove Participants": nil,
}

func checkEvents(t *testing.T, label string, got []channels.Event, want []wantEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d: %+v", label, len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.MessageID != w.id {
			t.Errorf("%s[%d]: kind %s id %s, want %s %s", label, i, g.Kind, g.MessageID, w.kind, w.id)
		}
		if w.user != "" && g.UserID != w.user {
			t.Errorf("%s[%d]: user %q, want %q", label, i, g.UserID, w.user)
		}
		if g.Name != w.name {
			t.Errorf("%s[%d]: name %q, want %q", label, i, g.Name, w.name)
		}
		if w.unix != 0 && !g.Time.Equal(time.Unix(w.unix, 0)) {
			t.Errorf("%s[%d]: time %v, want %v", label, i, g.Time, time.Unix(w.unix, 0))
		}
		if g.Text != w.text || g.Payload != w.payload || g.ContextID != w.contextID {
			t.Errorf("%s[%d]: text %q payload %q context %q, want %q %q %q", label, i, g.Text, g.Payload, g.ContextID, w.text, w.payload, w.contextID)
		}
		switch w.kind {
		case channels.EventMessage:
			if g.DedupeKey != w.id || g.Phone != g.UserID || g.Status != "" {
				t.Errorf("%s[%d]: dedupe %q phone %q status %q", label, i, g.DedupeKey, g.Phone, g.Status)
			}
		case channels.EventStatus:
			if g.Status != w.status || g.DedupeKey != w.id+":"+w.status || g.ErrorCode != w.errCode || g.ErrorTitle != w.errTitle {
				t.Errorf("%s[%d]: status %q dedupe %q error %d %q, want %q %d %q", label, i, g.Status, g.DedupeKey, g.ErrorCode, g.ErrorTitle, w.status, w.errCode, w.errTitle)
			}
		}
	}
}

func TestParseWebhookSpecExamples(t *testing.T) {
	examples := specWebhookExamples(t)
	for name := range webhookExpectations {
		if _, ok := examples[name]; !ok {
			t.Errorf("expectation for %q, which the spec does not have", name)
		}
	}
	for name, body := range examples {
		want, ok := webhookExpectations[name]
		if !ok {
			t.Errorf("spec example %q has no expectation in webhookExpectations", name)
			continue
		}
		got, err := ParseWebhook(body)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		checkEvents(t, name, got, want)
	}
}

// statusWebhook is a status delivery shaped as Meta documents it; the test
// checks it against the spec's WebhookPayload schema first.
const statusWebhook = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
 "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
 "statuses":[
  {"id":"wamid.A1","status":"sent","timestamp":"1750263773","recipient_id":"16505551234",
   "conversation":{"id":"6ceb9d929c1fb7ca3d7b8e2d5a1e3a4f","expiration_timestamp":"1750350180","origin":{"type":"marketing"}},
   "pricing":{"billable":true,"pricing_model":"PMP","category":"marketing"}},
  {"id":"wamid.A1","status":"read","timestamp":"1750263790","recipient_id":"16505551234"},
  {"id":"wamid.B2","status":"delivered","timestamp":"1750263775","recipient_id":"16505551235"},
  {"id":"wamid.C3","status":"failed","timestamp":"1750263780","recipient_id":"16505551236",
   "errors":[{"code":131049,"title":"This message was not delivered to maintain healthy ecosystem engagement.",
     "message":"This message was not delivered to maintain healthy ecosystem engagement.","error_data":{"details":"In order to maintain a healthy ecosystem engagement, the message failed to be delivered."}}]}
 ]}}]}]}`

func TestParseWebhookStatuses(t *testing.T) {
	var v any
	if err := json.Unmarshal([]byte(statusWebhook), &v); err != nil {
		t.Fatal(err)
	}
	if err := whatsappSpec(t).ValidateSchema("WebhookPayload", v); err != nil {
		t.Fatalf("fixture does not match the spec: %v", err)
	}
	got, err := ParseWebhook([]byte(statusWebhook))
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, "statuses", got, []wantEvent{
		{kind: channels.EventStatus, id: "wamid.A1", user: "16505551234", unix: 1750263773, status: "sent"},
		{kind: channels.EventStatus, id: "wamid.A1", user: "16505551234", unix: 1750263790, status: "read"},
		{kind: channels.EventStatus, id: "wamid.B2", user: "16505551235", unix: 1750263775, status: "delivered"},
		{kind: channels.EventStatus, id: "wamid.C3", user: "16505551236", unix: 1750263780, status: "failed", errCode: 131049,
			errTitle: "This message was not delivered to maintain healthy ecosystem engagement."},
	})
}

func TestParseWebhookMixedAndTolerant(t *testing.T) {
	// Two changes; two senders in one; wa_id and timestamp unquoted; an item
	// of the wrong shape; an unknown status; an unknown field and change.
	body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
	 {"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"111"},
	  "contacts":[{"profile":{"name":"Ana"},"wa_id":5511911112222},{"profile":{"name":"Bo"},"wa_id":"4915112345678"}],
	  "messages":[
	   {"from":"4915112345678","id":"wamid.BO","timestamp":1750000001,"type":"text","text":{"body":"hallo"},"future_field":{"x":1}},
	   {"from":5511911112222,"id":"wamid.ANA","timestamp":"1750000002","type":"button","button":{"payload":"YES","text":"Yes"},"context":{"from":"1","id":"wamid.BCAST"}},
	   {"from":"4915112345678","id":"wamid.BAD","timestamp":"1","type":"text","text":"not an object"},
	   {"from":"4915112345678","timestamp":"1","type":"text","text":{"body":"no id"}}
	  ],
	  "statuses":[{"id":"wamid.X","status":"deleted","timestamp":"1","recipient_id":"1"}]}},
	 {"field":"account_update","value":{"event":"ACCOUNT_RESTRICTION"}},
	 {"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"222"},
	  "statuses":[{"id":"wamid.Y","status":"delivered","timestamp":"1750000003","recipient_id":"16505551234"}]}}
	]}]}`
	got, err := ParseWebhook([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, "mixed", got, []wantEvent{
		{kind: channels.EventMessage, id: "wamid.BO", user: "4915112345678", name: "Bo", unix: 1750000001, text: "hallo"},
		{kind: channels.EventMessage, id: "wamid.ANA", user: "5511911112222", name: "Ana", unix: 1750000002, text: "Yes", payload: "YES", contextID: "wamid.BCAST"},
		{kind: channels.EventStatus, id: "wamid.Y", user: "16505551234", unix: 1750000003, status: "delivered"},
	})

	for i, want := range []string{"111", "111", "222"} {
		if got[i].AccountID != want {
			t.Errorf("event %d: AccountID = %q, want the phone_number_id %q", i, got[i].AccountID, want)
		}
	}

	only111, err := ParseWebhookFor([]byte(body), "111")
	if err != nil || len(only111) != 2 || only111[0].MessageID != "wamid.BO" {
		t.Fatalf("filter 111: %v %+v", err, only111)
	}
	only222, err := ParseWebhookFor([]byte(body), "222")
	if err != nil || len(only222) != 1 || only222[0].MessageID != "wamid.Y" {
		t.Fatalf("filter 222: %v %+v", err, only222)
	}
}

func TestParseWebhookNameFallbackForSoleContact(t *testing.T) {
	// contacts[].wa_id differs from messages[].from (a number format
	// change): with one contact and one message they are the same person.
	body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
	 "contacts":[{"profile":{"name":"Ana"},"wa_id":"5511911112222"}],
	 "messages":[{"from":"551111112222","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"oi"}}]}}]}]}`
	got, err := ParseWebhook([]byte(body))
	if err != nil || len(got) != 1 || got[0].Name != "Ana" {
		t.Fatalf("%v %+v", err, got)
	}
}

func TestParseWebhookRejectsMalformed(t *testing.T) {
	for _, body := range []string{``, `   `, `{`, `{"object":"whatsapp_business_account","entry":[`, `null`, `[]`, `"x"`, `42`,
		`{"object":"whatsapp_business_account","entry":{"id":"1"}}`, "\xff\xfe"} {
		if _, err := ParseWebhook([]byte(body)); err == nil {
			t.Errorf("no error for %q", body)
		}
	}
	for _, body := range []string{`{}`, `{"object":"page","entry":[{"id":"1","messaging":[{"message":{"mid":"m","text":"hi"}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[]}`, `{"object":"whatsapp_business_account"}`} {
		evs, err := ParseWebhook([]byte(body))
		if err != nil || len(evs) != 0 {
			t.Errorf("%s: %v %+v", body, err, evs)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	body := specWebhookExamples(t)["Button Message"]
	good := meta.Sign("app-secret", body)
	if err := VerifySignature("app-secret", body, good); err != nil {
		t.Fatalf("good signature refused: %v", err)
	}
	for name, c := range map[string]struct {
		secret, header string
		body           []byte
	}{
		"missing header":  {"app-secret", "", body},
		"wrong secret":    {"app-secret", meta.Sign("other", body), body},
		"tampered body":   {"app-secret", good, append(slices.Clone(body), ' ')},
		"no prefix":       {"app-secret", strings.TrimPrefix(good, "sha256="), body},
		"not hex":         {"app-secret", "sha256=zz", body},
		"no app secret":   {"", meta.Sign("", body), body},
		"truncated":       {"app-secret", good[:len(good)-2], body},
		"upper-case algo": {"app-secret", "SHA256=" + strings.TrimPrefix(good, "sha256="), body},
	} {
		err := VerifySignature(c.secret, c.body, c.header)
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.Is(err, meta.ErrBadSignature) {
			t.Errorf("%s: error %v does not wrap meta.ErrBadSignature", name, err)
		}
	}
}

func TestVerifyHandshake(t *testing.T) {
	if c, ok := VerifyHandshake("verify-me", "subscribe", "verify-me", "1158201444"); !ok || c != "1158201444" {
		t.Fatalf("good handshake = %q %v", c, ok)
	}
	if _, ok := VerifyHandshake("verify-me", "subscribe", "wrong", "1"); ok {
		t.Fatal("wrong token accepted")
	}
}
