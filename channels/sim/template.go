package sim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Template is a WhatsApp message template as the Graph API lists it.
type Template struct {
	Name string `json:"name"`
	// Language is the locale code, e.g. zh_TW, en_US.
	Language string `json:"language"`
	// Status is APPROVED, PENDING, REJECTED, PAUSED or DISABLED; empty
	// means APPROVED.
	Status     string              `json:"status"`
	Category   string              `json:"category"`
	ID         string              `json:"id"`
	Components []TemplateComponent `json:"components"`
	// ParameterFormat is POSITIONAL ({{1}}) or NAMED ({{first_name}}).
	ParameterFormat string `json:"parameter_format,omitempty"`
}

// TemplateComponent is a HEADER, BODY, FOOTER or BUTTONS component.
type TemplateComponent struct {
	Type    string           `json:"type"`
	Format  string           `json:"format,omitempty"` // HEADER: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION
	Text    string           `json:"text,omitempty"`
	Example json.RawMessage  `json:"example,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
}

// TemplateButton is a button of a BUTTONS component.
type TemplateButton struct {
	Type        string          `json:"type"` // QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE
	Text        string          `json:"text"`
	URL         string          `json:"url,omitempty"`
	PhoneNumber string          `json:"phone_number,omitempty"`
	Example     json.RawMessage `json:"example,omitempty"`
}

// waba is a WhatsApp Business Account's simulated state. Guarded by Sim.mu.
type waba struct {
	templates []Template
}

// AddTemplate registers t with the WhatsApp Business Account wabaID,
// replacing a template of the same name and language. A missing ID is
// generated; a missing Status means APPROVED.
func (s *Sim) AddTemplate(wabaID string, t Template) {
	if t.Status == "" {
		t.Status = "APPROVED"
	}
	if t.ID == "" {
		t.ID = s.randDigits(16)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wabas[wabaID]
	if w == nil {
		w = &waba{}
		s.wabas[wabaID] = w
	}
	for i, old := range w.templates {
		if old.Name == t.Name && old.Language == t.Language {
			w.templates[i] = t
			return
		}
	}
	w.templates = append(w.templates, t)
}

// AddTemplateJSON registers a template given in the Graph API's JSON form
// (an element of message_templates' data array).
func (s *Sim) AddTemplateJSON(wabaID string, raw json.RawMessage) error {
	var t Template
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("sim: template: %w", err)
	}
	if t.Name == "" || t.Language == "" {
		return fmt.Errorf("sim: template needs a name and a language")
	}
	s.AddTemplate(wabaID, t)
	return nil
}

// placeholder matches {{1}} or {{name}}.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// countParams is the number of distinct placeholders in text.
func countParams(text string) int {
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		seen[m[1]] = true
	}
	return len(seen)
}

// component returns the template's component of a type (case-insensitive).
func (t *Template) component(typ string) *TemplateComponent {
	for i := range t.Components {
		if strings.EqualFold(t.Components[i].Type, typ) {
			return &t.Components[i]
		}
	}
	return nil
}

// SampleTemplates returns a few realistic approved templates (Traditional
// Chinese and English, with body parameters and quick-reply buttons), for
// demo mode and tests.
func SampleTemplates() []Template {
	qr := func(texts ...string) TemplateComponent {
		c := TemplateComponent{Type: "BUTTONS"}
		for _, t := range texts {
			c.Buttons = append(c.Buttons, TemplateButton{Type: "QUICK_REPLY", Text: t})
		}
		return c
	}
	return []Template{
		{Name: "weekly_offer", Language: "zh_TW", Status: "APPROVED", Category: "MARKETING", ID: "1024000000000001",
			Components: []TemplateComponent{
				{Type: "HEADER", Format: "TEXT", Text: "本週優惠"},
				{Type: "BODY", Text: "{{1}} 您好！本週全館 {{2}} 折，歡迎光臨。",
					Example: json.RawMessage(`{"body_text":[["陳小姐","8"]]}`)},
				{Type: "FOOTER", Text: "回覆「停止」即可取消訂閱"},
				qr("我有興趣", "停止"),
			}},
		{Name: "weekly_offer", Language: "en_US", Status: "APPROVED", Category: "MARKETING", ID: "1024000000000002",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "Hi {{1}}! Everything is {{2}}% off this week.",
					Example: json.RawMessage(`{"body_text":[["Emily","20"]]}`)},
				qr("Interested", "Stop"),
			}},
		{Name: "order_update", Language: "zh_TW", Status: "APPROVED", Category: "UTILITY", ID: "1024000000000003",
			Components: []TemplateComponent{
				{Type: "BODY", Text: "您的訂單 {{1}} 已出貨，預計 {{2}} 送達。",
					Example: json.RawMessage(`{"body_text":[["A1234","3/15"]]}`)},
			}},
		{Name: "event_reminder", Language: "zh_HK", Status: "PENDING", Category: "MARKETING", ID: "1024000000000004",
			Components: []TemplateComponent{{Type: "BODY", Text: "{{1}}，活動將於明天舉行。"}}},
	}
}
