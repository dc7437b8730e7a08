package whatsapp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

const templatesPage1 = `{"data":[
 {"name":"spring_sale","parameter_format":"POSITIONAL","components":[
   {"type":"HEADER","format":"TEXT","text":"{{1}} sale","example":{"header_text":["Spring"]}},
   {"type":"BODY","text":"Hi {{1}}, everything is {{2}} off until Sunday.","example":{"body_text":[["Mark","20%"]]}},
   {"type":"FOOTER","text":"Reply STOP to opt out"},
   {"type":"BUTTONS","buttons":[{"type":"URL","text":"Shop","url":"https://shop.example.com/{{1}}","example":["https://shop.example.com/spring"]},
     {"type":"QUICK_REPLY","text":"Show me"},{"type":"PHONE_NUMBER","text":"Call us","phone_number":"+15550783881"},{"type":"QUICK_REPLY","text":"Stop promotions"}]}],
  "language":"en_US","status":"APPROVED","category":"MARKETING","id":"920070352646140"}],
 "paging":{"cursors":{"before":"QVFIUkZA","after":"CURSOR1"},
  "next":"https://graph.facebook.com/v23.0/102290129340398/message_templates?fields=name&limit=1&after=CURSOR1"}}`

func TestListTemplatesPagesAndValidates(t *testing.T) {
	// Page 2 is Meta's own example answer (cursors, no next: the end).
	page2 := specResponseExample(t, "/{Version}/{WABA-ID}/message_templates", "Example response")
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Method != http.MethodGet || r.URL.Path != "/v23.0/"+testWABAID+"/message_templates" {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
		switch r.URL.Query().Get("after") {
		case "":
			io.WriteString(w, templatesPage1)
		case "CURSOR1":
			w.Write(page2)
		default:
			t.Errorf("unexpected cursor %q", r.URL.Query().Get("after"))
			w.WriteHeader(400)
		}
	})
	ts, err := fg.client().ListTemplates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := fg.validateAll(t); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
	if len(ts) != 3 || ts[0].Name != "spring_sale" || ts[1].Name != "hello_world" || ts[2].Name != "2023_april_promo" {
		t.Fatalf("templates = %+v", ts)
	}
	if q := fg.requests()[0].req.URL.Query(); q.Get("limit") != "100" || q.Has("after") || q.Has("fields") {
		t.Errorf("first page query %v", q)
	}
	promo := ts[2]
	if promo.ID != "920070352646140" || !promo.IsSendable() || promo.BodyParamCount() != 2 || promo.HeaderParamCount() != 0 ||
		!reflect.DeepEqual(promo.QuickReplyButtons(), []QuickReplyButton{{0, "Stop promotions"}}) {
		t.Errorf("Meta's example template read wrong: %+v", promo)
	}
	if got := promo.Render(nil, []string{"Ana", "FALL25"}); !strings.HasPrefix(got, "Fall Sale\n\nHi Ana, our Fall Sale is on! Use promo code FALL25 Get") ||
		!strings.HasSuffix(got, "\n\nNot interested in any of our sales? Tap Stop Promotions") {
		t.Errorf("render %q", got)
	}
	s := ts[0]
	if s.ID != "920070352646140" || s.Language != "en_US" || s.Status != "APPROVED" || s.Category != "MARKETING" || len(s.Components) != 4 {
		t.Fatalf("template = %+v", s)
	}
	if got := s.Components[1].Example.BodyText; !reflect.DeepEqual(got, [][]string{{"Mark", "20%"}}) {
		t.Errorf("body example = %v", got)
	}
	if b := s.Components[3].Buttons[0]; b.Type != ButtonURL || b.URL != "https://shop.example.com/{{1}}" {
		t.Errorf("url button = %+v", b)
	}
}

func TestListTemplatesCursorFromNextURLAndLoopGuard(t *testing.T) {
	calls := 0
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		calls++
		if calls > 5 {
			t.Error("paging does not stop")
			io.WriteString(w, `{"data":[]}`)
			return
		}
		// No cursors object; only next, which always points at the same cursor.
		io.WriteString(w, `{"data":[{"name":"t`+strings.Repeat("x", calls)+`","status":"APPROVED"}],"paging":{"next":"https://graph.facebook.com/v23.0/1/message_templates?after=SAME"}}`)
	})
	ts, err := fg.client().ListTemplates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || calls != 2 {
		t.Fatalf("templates %d, calls %d; want 2 and 2", len(ts), calls)
	}
	if after := fg.requests()[1].req.URL.Query().Get("after"); after != "SAME" {
		t.Fatalf("second page cursor %q", after)
	}
	fg.validateAll(t)
}

func TestListTemplatesError(t *testing.T) {
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.WriteHeader(400)
		io.WriteString(w, graphError(100, 33, "Unsupported get request. Object with ID '102290129340398' does not exist", ""))
	})
	_, err := fg.client().ListTemplates(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Code != 100 || ae.Subcode != 33 || ae.TraceID != "AbCdEf" {
		t.Fatalf("err = %#v", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "whatsapp: list templates: Unsupported get request") || !strings.Contains(msg, "code 100") {
		t.Fatalf("message %q", msg)
	}
	if _, err := New(Config{AccessToken: "x"}).ListTemplates(context.Background()); err == nil {
		t.Fatal("no WABA id accepted")
	}
}

func TestPhoneNumberValidatesAndDecodes(t *testing.T) {
	reply := []byte(`{"verified_name":"Lucky Shrub","code_verification_status":"VERIFIED","display_phone_number":"+1 555-078-3881","quality_rating":"GREEN","id":"106540352242922"}`)
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Method != http.MethodGet || r.URL.Path != "/v23.0/"+testPhoneID {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
		w.Write(reply)
	})
	info, err := fg.client().PhoneNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := PhoneNumberInfo{ID: testPhoneID, DisplayPhoneNumber: "+1 555-078-3881", VerifiedName: "Lucky Shrub", QualityRating: "GREEN"}
	if info != want {
		t.Fatalf("info = %+v", info)
	}
	if n := fg.validateAll(t); n != 1 {
		t.Fatalf("%d requests", n)
	}
	if q := fg.requests()[0].req.URL.RawQuery; q != "" {
		t.Errorf("query %q", q)
	}
}

func TestPhoneNumberMetaExample(t *testing.T) {
	item := whatsappSpec(t).Doc.Paths.Value("/{Version}/{Phone-Number-ID}")
	examples := item.Get.Responses.Status(200).Value.Content.Get("application/json").Examples
	if len(examples) == 0 {
		t.Fatal("no examples")
	}
	for name, ex := range examples {
		body := mustJSON(t, ex.Value.Value)
		fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { w.Write(body) })
		info, err := fg.client().PhoneNumber(context.Background())
		if err != nil || info.DisplayPhoneNumber != "+1 555-555-5555" || info.VerifiedName != "Jaspers Market" {
			t.Errorf("%s: %v %+v", name, err, info)
		}
	}
}

func TestPhoneNumberInvalidToken(t *testing.T) {
	fg := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.WriteHeader(401)
		io.WriteString(w, graphError(190, 0, "Invalid OAuth access token - Cannot parse access token", ""))
	})
	_, err := fg.client().PhoneNumber(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != 190 || ae.Status != 401 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "Cannot parse access token") {
		t.Fatalf("message %q", err)
	}
}

func TestNewDefaults(t *testing.T) {
	c := New(Config{})
	if c.base != DefaultBaseURL || c.version != DefaultAPIVersion || c.hc == nil || c.hc.Timeout != DefaultTimeout {
		t.Fatalf("defaults: %+v", c)
	}
	c = New(Config{BaseURL: "http://127.0.0.1:9/", APIVersion: "v24.0"})
	if got := c.endpoint(nil, "1/../2", "messages"); got != "http://127.0.0.1:9/v24.0/1%2F..%2F2/messages" {
		t.Fatalf("endpoint %q", got)
	}
}

func TestTemplateHelpers(t *testing.T) {
	tpl := Template{Name: "spring_sale", Status: "APPROVED", Components: []TemplateComponent{
		{Type: "HEADER", Format: "TEXT", Text: "{{1}} sale"},
		{Type: "BODY", Text: "Hi {{1}}, everything is {{2}} off. {{ 2 }} means {{2}}! {{first_name}}"},
		{Type: "FOOTER", Text: "Reply STOP to opt out"},
		{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "URL", Text: "Shop"}, {Type: "QUICK_REPLY", Text: "Show me"},
			{Type: "PHONE_NUMBER", Text: "Call"}, {Type: "QUICK_REPLY", Text: "Stop promotions"}}},
	}}
	if !tpl.IsSendable() || tpl.BodyParamCount() != 2 || tpl.HeaderParamCount() != 1 || tpl.HeaderFormat() != "TEXT" {
		t.Fatalf("sendable %v body %d header %d format %q", tpl.IsSendable(), tpl.BodyParamCount(), tpl.HeaderParamCount(), tpl.HeaderFormat())
	}
	if got, want := tpl.QuickReplyButtons(), []QuickReplyButton{{1, "Show me"}, {3, "Stop promotions"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("quick replies %v, want %v", got, want)
	}
	got := tpl.Render([]string{"Spring"}, []string{"Sheena", "20%"})
	want := "Spring sale\n\nHi Sheena, everything is 20% off. 20% means 20%! {{first_name}}\n\nReply STOP to opt out"
	if got != want {
		t.Fatalf("render\n got %q\nwant %q", got, want)
	}
	if got := tpl.Render(nil, []string{"Sheena"}); !strings.HasPrefix(got, "{{1}} sale\n\nHi Sheena, everything is {{2}} off") {
		t.Fatalf("missing params not kept visible: %q", got)
	}

	for _, st := range []string{"PENDING", "REJECTED", "PAUSED", "DISABLED", ""} {
		if (&Template{Status: st}).IsSendable() {
			t.Errorf("status %q sendable", st)
		}
	}
	img := Template{Status: "APPROVED", Components: []TemplateComponent{{Type: "HEADER", Format: "IMAGE"}, {Type: "BODY", Text: "No params"}}}
	if img.HeaderParamCount() != 0 || img.HeaderFormat() != "IMAGE" || img.BodyParamCount() != 0 || img.QuickReplyButtons() != nil {
		t.Fatalf("image template helpers wrong")
	}
	if got := img.Render(nil, nil); got != "No params" {
		t.Fatalf("render %q", got)
	}
	var none Template
	if none.BodyParamCount() != 0 || none.HeaderParamCount() != 0 || none.HeaderFormat() != "" || none.Render(nil, nil) != "" {
		t.Fatal("empty template helpers wrong")
	}
}

// TestTemplateBuiltFromListing checks the intended flow: helpers tell how
// to fill a listed template, and the result validates against the spec.
func TestTemplateBuiltFromListing(t *testing.T) {
	tpl := Template{Name: "spring_sale", Language: "en_US", Status: "APPROVED", Components: []TemplateComponent{
		{Type: "HEADER", Format: "TEXT", Text: "{{1}} sale"}, {Type: "BODY", Text: "Hi {{1}} {{2}}"},
		{Type: "BUTTONS", Buttons: []TemplateButton{{Type: "QUICK_REPLY", Text: "Yes"}, {Type: "QUICK_REPLY", Text: "No"}}}}}
	msg := NewTemplateMessage("16505551234", tpl.Name, tpl.Language).WithHeaderText("Spring").WithBody("A", "B")
	for _, b := range tpl.QuickReplyButtons() {
		msg.WithQuickReply(b.Index, "bcast-42:"+b.Text)
	}
	if len(msg.Body) != tpl.BodyParamCount() || len(msg.HeaderText) != tpl.HeaderParamCount() {
		t.Fatal("counts disagree")
	}
	if err := validateBody(whatsappSpec(t), "/v23.0/1/messages", string(mustJSON(t, msg))); err != nil {
		t.Fatal(err)
	}
}
