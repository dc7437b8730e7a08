package whatsapp

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"omnicast/channels"
)

func renderTemplates() map[string]Template {
	return map[string]Template{
		"positional": {Name: "shipping", Language: "zh_TW", Status: StatusApproved, Components: []TemplateComponent{
			{Type: ComponentHeader, Format: "TEXT", Text: "訂單 {{1}}"},
			{Type: ComponentBody, Text: "{{1}} 您好，您的訂單 {{2}} 已出貨。"},
			{Type: ComponentFooter, Text: "omnicast"},
			{Type: ComponentButtons, Buttons: []TemplateButton{{Type: ButtonQuickReply, Text: "查詢"}, {Type: ButtonURL, Text: "網站", URL: "https://example.com"},
				{Type: ButtonQuickReply, Text: "停止"}}},
		}},
		"named": {Name: "code", Language: "en_US", Status: StatusApproved, ParameterFormat: "NAMED", Components: []TemplateComponent{
			{Type: ComponentHeader, Format: "TEXT", Text: "For {{first_name}}"},
			{Type: ComponentBody, Text: "Hi {{first_name}}, your code is {{code}}."},
		}},
		"plain": {Name: "hello", Language: "en_US", Status: StatusApproved, Components: []TemplateComponent{{Type: ComponentBody, Text: "Hello"}}},
	}
}

// TestRenderTemplateMatchesSpec renders every parameter kind omnicast
// fills (text header, positional and named body text, the contact's
// name, quick-reply payloads) and validates each send against Meta's
// spec.
func TestRenderTemplateMatchesSpec(t *testing.T) {
	s := whatsappSpec(t)
	tpls := renderTemplates()
	tap := func(i int) string { return []string{"oc1:b7:k0", ""}[i] }
	cases := []struct {
		name  string
		tpl   Template
		fill  channels.TemplateFill
		check func(t *testing.T, wire map[string]any, raw string)
	}{
		{"positional with name and buttons", tpls["positional"], channels.TemplateFill{
			Header:  []channels.TemplateParam{{Text: "A-1"}},
			Body:    []channels.TemplateParam{{ContactName: true}, {Text: "A-1"}},
			Buttons: []channels.ButtonAction{{Action: channels.ActionBot, ModuleID: 3}, {Action: channels.ActionNone}},
		}, func(t *testing.T, _ map[string]any, raw string) {
			for _, want := range []string{`"type":"header","parameters":[{"type":"text","text":"A-1"}]`,
				`"type":"body","parameters":[{"type":"text","text":"王小明"},{"type":"text","text":"A-1"}]`,
				`"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload","payload":"oc1:b7:k0"}]`} {
				if !strings.Contains(raw, want) {
					t.Errorf("missing %s in %s", want, raw)
				}
			}
			if strings.Contains(raw, `"index":"2"`) {
				t.Errorf("a button without payload was sent: %s", raw)
			}
		}},
		{"named", tpls["named"], channels.TemplateFill{
			Header: []channels.TemplateParam{{Name: "first_name", ContactName: true}},
			Body:   []channels.TemplateParam{{Name: "code", Text: "X-42"}, {Name: "first_name", ContactName: true}},
		}, func(t *testing.T, _ map[string]any, raw string) {
			if !strings.Contains(raw, `{"type":"text","text":"X-42","parameter_name":"code"}`) ||
				!strings.Contains(raw, `{"type":"text","text":"王小明","parameter_name":"first_name"}`) {
				t.Errorf("named parameters: %s", raw)
			}
		}},
		{"no parameters", tpls["plain"], channels.TemplateFill{}, func(t *testing.T, wire map[string]any, raw string) {
			if strings.Contains(raw, "components") {
				t.Errorf("empty components sent: %s", raw)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, err := RenderTemplate(c.tpl, c.fill, "王小明", tap)
			if err != nil {
				t.Fatal(err)
			}
			msg.To = "886912345678"
			if err := msg.Validate(); err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateBody(s, "/v23.0/106540352242922/messages", string(raw)); err != nil {
				t.Fatalf("against the spec: %v\n%s", err, raw)
			}
			var wire map[string]any
			_ = json.Unmarshal(raw, &wire)
			c.check(t, wire, string(raw))
		})
	}
}

func TestRenderTemplateRefuses(t *testing.T) {
	tpls := renderTemplates()
	pending := tpls["plain"]
	pending.Status = "PENDING"
	for name, c := range map[string]struct {
		tpl     Template
		fill    channels.TemplateFill
		contact string
	}{
		"not approved":       {pending, channels.TemplateFill{}, "A"},
		"body count":         {tpls["positional"], channels.TemplateFill{Header: []channels.TemplateParam{{Text: "x"}}, Body: []channels.TemplateParam{{Text: "x"}}}, "A"},
		"header count":       {tpls["positional"], channels.TemplateFill{Body: []channels.TemplateParam{{Text: "x"}, {Text: "y"}}}, "A"},
		"unknown named":      {tpls["named"], channels.TemplateFill{Header: []channels.TemplateParam{{Name: "first_name", Text: "a"}}, Body: []channels.TemplateParam{{Name: "code", Text: "x"}, {Name: "last", Text: "y"}}}, "A"},
		"empty contact name": {tpls["named"], channels.TemplateFill{Header: []channels.TemplateParam{{Name: "first_name", ContactName: true}}, Body: []channels.TemplateParam{{Name: "code", Text: "x"}, {Name: "first_name", Text: "y"}}}, " "},
		"too many actions":   {tpls["plain"], channels.TemplateFill{Buttons: []channels.ButtonAction{{Action: channels.ActionNone}}}, "A"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := RenderTemplate(c.tpl, c.fill, c.contact, nil); err == nil {
				t.Fatal("rendered")
			} else if name == "empty contact name" && !errors.Is(err, ErrEmptyName) {
				t.Fatalf("want ErrEmptyName, got %v", err)
			}
		})
	}
}
