package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"omnicast/channels/spectest"
)

func TestWhatsAppTemplateSendAndStatuses(t *testing.T) {
	e := newEnv(t, Config{ReceiptDelay: time.Millisecond}, 0)
	e.addPeople()
	r := e.call("POST", "/v23.0/"+waPNID+"/messages", waToken,
		waTemplateBody("+886 912 345 678", "weekly_offer", "zh_TW", []string{"Emily", "8"}, "0", "1"))
	if r.status != 200 || r.body["messaging_product"] != "whatsapp" {
		t.Fatalf("send: %d %s", r.status, r.raw)
	}
	c := r.body["contacts"].([]any)[0].(map[string]any)
	m := r.body["messages"].([]any)[0].(map[string]any)
	wamid, _ := m["id"].(string)
	if c["input"] != "+886 912 345 678" || c["wa_id"] != waID || !strings.HasPrefix(wamid, "wamid.") {
		t.Fatalf("answer shape: %s", r.raw)
	}
	if s := e.sim.SentTo(waID); len(s) != 1 || s[0].MessageID != wamid || s[0].Kind != "whatsapp" {
		t.Fatalf("recorded %+v", s)
	}
	bodies := e.sink.waitFor(pathWhatsApp, 3)
	spec, err := spectest.Load(spectest.WhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, b := range bodies {
		var v any
		_ = json.Unmarshal(b, &v)
		if err := spec.ValidateSchema("WebhookPayload", v); err != nil {
			t.Errorf("status webhook off spec: %v\n%s", err, b)
		}
		var p struct {
			Object string
			Entry  []struct {
				ID      string
				Changes []struct {
					Field string
					Value struct {
						Metadata struct {
							PhoneNumberID string `json:"phone_number_id"`
						}
						Statuses []struct {
							ID, Status, Timestamp string
							RecipientID           string `json:"recipient_id"`
						}
					}
				}
			}
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		ch := p.Entry[0].Changes[0]
		st := ch.Value.Statuses[0]
		if p.Object != "whatsapp_business_account" || p.Entry[0].ID != wabaID || ch.Field != "messages" ||
			ch.Value.Metadata.PhoneNumberID != waPNID || st.ID != wamid || st.RecipientID != waID || st.Timestamp == "" {
			t.Errorf("status webhook: %s", b)
		}
		statuses = append(statuses, st.Status)
	}
	if strings.Join(statuses, ",") != "sent,delivered,read" {
		t.Fatalf("statuses %v", statuses)
	}
}

func TestWhatsAppRules(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	e.addPeople()
	e.sim.AddTemplate(wabaID, Template{Name: "pending_one", Language: "zh_TW", Status: "PENDING", Category: "MARKETING",
		Components: []TemplateComponent{{Type: "BODY", Text: "hi"}}})
	e.sim.AddTemplate(wabaID, Template{Name: "paused_one", Language: "zh_TW", Status: "PAUSED",
		Components: []TemplateComponent{{Type: "BODY", Text: "hi"}}})
	if err := e.sim.AddTemplateJSON(wabaID, json.RawMessage(`{"name":"with_header","language":"en_US","status":"APPROVED","category":"UTILITY",
		"components":[{"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Hi {{1}}"}]}`)); err != nil {
		t.Fatal(err)
	}
	send := func(body any) reply { return e.call("POST", "/v23.0/"+waPNID+"/messages", waToken, body) }
	waErr := func(r reply, code int) {
		t.Helper()
		expectGraphErr(t, r, 400, code, 0)
		ed, _ := r.body["error"].(map[string]any)["error_data"].(map[string]any)
		if ed["messaging_product"] != "whatsapp" || ed["details"] == "" {
			t.Errorf("error_data: %s", r.raw)
		}
	}
	waErr(send(waTemplateBody(waID, "no_such", "zh_TW", nil)), 132001)
	waErr(send(waTemplateBody(waID, "weekly_offer", "ja_JP", []string{"a", "b"})), 132001)
	waErr(send(waTemplateBody(waID, "pending_one", "zh_TW", nil)), 132001)
	waErr(send(waTemplateBody(waID, "paused_one", "zh_TW", nil)), 132015)
	waErr(send(waTemplateBody(waID, "weekly_offer", "zh_TW", []string{"only one"})), 132000)
	waErr(send(waTemplateBody(waID, "weekly_offer", "zh_TW", []string{"a", "b", "c"})), 132000)
	waErr(send(waTemplateBody(waID, "weekly_offer", "zh_TW", []string{"a", "b"}, "2")), 132000)
	waErr(send(waTemplateBody(waID, "order_update", "zh_TW", []string{"a", "b"}, "0")), 132000)
	// A media header wants its parameter.
	waErr(send(waTemplateBody(waID, "with_header", "en_US", []string{"a"})), 132000)
	withHeader := waTemplateBody(waID, "with_header", "en_US", []string{"a"})
	tpl := withHeader["template"].(map[string]any)
	tpl["components"] = append(tpl["components"].([]map[string]any), map[string]any{"type": "header",
		"parameters": []map[string]any{{"type": "image", "image": map[string]string{"link": "https://example.com/a.jpg"}}}})
	if r := send(withHeader); r.status != 200 {
		t.Fatalf("media header template: %s", r.raw)
	}
	noProduct := waTemplateBody(waID, "order_update", "zh_TW", []string{"a", "b"})
	delete(noProduct, "messaging_product")
	waErr(send(noProduct), 100)
	if n := len(e.sim.Sent()); n != 1 {
		t.Fatalf("recorded %d, want 1", n)
	}

	// Free-form text: only inside the 24-hour window.
	text := map[string]any{"messaging_product": "whatsapp", "to": waID, "type": "text", "text": map[string]string{"body": "您好"}}
	if r := send(text); r.status != 200 {
		t.Fatalf("text inside window: %s", r.raw)
	}
	e.clock.Advance(24*time.Hour + time.Minute)
	waErr(send(text), 131047)
	if r := send(waTemplateBody(waID, "order_update", "zh_TW", []string{"A1", "3/15"})); r.status != 200 {
		t.Fatalf("template outside window: %s", r.raw)
	}
	if err := e.sim.Message(t.Context(), waPNID, waID, "hello"); err != nil {
		t.Fatal(err)
	}
	if r := send(text); r.status != 200 {
		t.Fatalf("text after the person wrote: %s", r.raw)
	}
	// Unknown numbers: a template is accepted (it fails later, by webhook),
	// free-form text is refused.
	if r := send(waTemplateBody("85261234567", "order_update", "zh_TW", []string{"A1", "3/15"})); r.status != 200 {
		t.Fatalf("template to unknown number: %s", r.raw)
	}
	text["to"] = "85261234567"
	waErr(send(text), 131047)
	// The wrong phone number id for the token.
	expectGraphErr(t, e.call("POST", "/v23.0/123/messages", waToken, text), 400, 100, 33)
}

func TestWhatsAppUndeliverableStatus(t *testing.T) {
	e := newEnv(t, Config{ReceiptDelay: time.Millisecond}, 0)
	r := e.call("POST", "/v23.0/"+waPNID+"/messages", waToken,
		waTemplateBody("85261234567", "order_update", "zh_TW", []string{"A1", "3/15"}))
	if r.status != 200 {
		t.Fatal(r.raw)
	}
	b := e.sink.waitFor(pathWhatsApp, 1)[0]
	if !strings.Contains(string(b), `"status":"failed"`) || !strings.Contains(string(b), `"code":131026`) {
		t.Fatalf("want a failed status: %s", b)
	}
}

func TestWhatsAppTemplatePagingAndPhone(t *testing.T) {
	e := newEnv(t, Config{}, 0)
	for i := range 3 {
		e.sim.AddTemplate(wabaID, Template{Name: "extra_" + string(rune('a'+i)), Language: "en_US", Category: "UTILITY",
			Components: []TemplateComponent{{Type: "BODY", Text: "x"}}})
	}
	want := len(SampleTemplates()) + 3
	var names []string
	next := "/v23.0/" + wabaID + "/message_templates?limit=2&access_token=" + waToken
	for pages := 0; next != ""; pages++ {
		if pages > want {
			t.Fatal("paging does not end")
		}
		r := e.call("GET", strings.TrimPrefix(next, e.base), "", nil)
		if r.status != 200 {
			t.Fatalf("templates: %s", r.raw)
		}
		data := r.body["data"].([]any)
		if len(data) > 2 {
			t.Fatalf("page of %d", len(data))
		}
		for _, d := range data {
			tm := d.(map[string]any)
			if tm["id"] == "" || tm["status"] == "" || tm["language"] == "" || tm["components"] == nil {
				t.Errorf("template shape: %v", tm)
			}
			names = append(names, tm["name"].(string)+"/"+tm["language"].(string))
		}
		paging, _ := r.body["paging"].(map[string]any)
		cursors, _ := paging["cursors"].(map[string]any)
		if cursors["before"] == nil || cursors["after"] == nil {
			t.Fatalf("cursors missing: %s", r.raw)
		}
		next, _ = paging["next"].(string)
	}
	if len(names) != want || names[0] != "weekly_offer/zh_TW" || names[want-1] != "extra_c/en_US" {
		t.Fatalf("listed %v", names)
	}
	// after cursor by hand, and a status filter.
	r := e.call("GET", "/v23.0/"+wabaID+"/message_templates?limit=1&status=PENDING", waToken, nil)
	if d := r.body["data"].([]any); len(d) != 1 || d[0].(map[string]any)["name"] != "event_reminder" {
		t.Fatalf("status filter: %s", r.raw)
	}
	expectGraphErr(t, e.call("GET", "/v23.0/999999/message_templates", waToken, nil), 400, 100, 33)

	p := e.call("GET", "/v23.0/"+waPNID, waToken, nil)
	if p.status != 200 || p.body["id"] != waPNID || p.body["verified_name"] != "Lin Coffee" ||
		p.body["quality_rating"] != "GREEN" || !strings.HasPrefix(p.body["display_phone_number"].(string), "+886") {
		t.Fatalf("phone number: %s", p.raw)
	}
	if r := e.call("GET", "/v23.0/"+waPNID, pageToken, nil); r.status == http.StatusOK {
		t.Fatalf("page token reads the phone number: %s", r.raw)
	}
}
