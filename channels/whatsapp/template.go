package whatsapp

import (
	"regexp"
	"strconv"
	"strings"
)

// Template is a message template as GET /{waba-id}/message_templates
// returns it. omnicast shows it, counts its parameters and renders a
// preview before a broadcast.
type Template struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language"`
	// Status is APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …
	Status string `json:"status"`
	// Category is MARKETING, UTILITY or AUTHENTICATION (it sets the price).
	Category string `json:"category"`
	// ParameterFormat is POSITIONAL ({{1}}) or NAMED ({{first_name}}).
	// RenderTemplate fills both (named ones with parameter_name).
	ParameterFormat string              `json:"parameter_format,omitempty"`
	Components      []TemplateComponent `json:"components"`
}

// Template component types and button types as the API spells them.
const (
	ComponentHeader  = "HEADER"
	ComponentBody    = "BODY"
	ComponentFooter  = "FOOTER"
	ComponentButtons = "BUTTONS"

	ButtonQuickReply  = "QUICK_REPLY"
	ButtonURL         = "URL"
	ButtonPhoneNumber = "PHONE_NUMBER"

	StatusApproved = "APPROVED"
)

// TemplateComponent is one HEADER, BODY, FOOTER or BUTTONS part.
type TemplateComponent struct {
	Type string `json:"type"`
	// Format is the HEADER's TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION.
	Format  string           `json:"format,omitempty"`
	Text    string           `json:"text,omitempty"`
	Example *TemplateExample `json:"example,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
}

// TemplateExample holds the sample values submitted for review.
type TemplateExample struct {
	HeaderText   []string   `json:"header_text,omitempty"`
	HeaderHandle []string   `json:"header_handle,omitempty"`
	BodyText     [][]string `json:"body_text,omitempty"`
}

// TemplateButton is one button of a BUTTONS component.
type TemplateButton struct {
	Type        string   `json:"type"`
	Text        string   `json:"text"`
	URL         string   `json:"url,omitempty"`
	PhoneNumber string   `json:"phone_number,omitempty"`
	Example     []string `json:"example,omitempty"`
}

// QuickReplyButton is a quick-reply button and the index a send must use
// for its payload (its position among all the template's buttons).
type QuickReplyButton struct {
	Index int
	Text  string
}

// placeholder matches positional parameters {{1}}, {{ 2 }}.
var placeholder = regexp.MustCompile(`\{\{\s*([0-9]+)\s*\}\}`)

// component returns the first component of type typ, or nil.
func (t *Template) component(typ string) *TemplateComponent {
	for i := range t.Components {
		if strings.EqualFold(t.Components[i].Type, typ) {
			return &t.Components[i]
		}
	}
	return nil
}

// IsSendable reports whether Meta lets the template be sent: only APPROVED
// templates may be.
func (t *Template) IsSendable() bool { return strings.EqualFold(t.Status, StatusApproved) }

// BodyParamCount is the number of body parameters a send must give: the
// highest {{n}} in the body (Meta numbers them 1…n without gaps).
func (t *Template) BodyParamCount() int {
	if c := t.component(ComponentBody); c != nil {
		return maxPlaceholder(c.Text)
	}
	return 0
}

// HeaderParamCount is the number of text parameters a TEXT header needs.
// A media header (see HeaderFormat) needs a link instead and counts 0.
func (t *Template) HeaderParamCount() int {
	if c := t.component(ComponentHeader); c != nil && (c.Format == "" || strings.EqualFold(c.Format, "TEXT")) {
		return maxPlaceholder(c.Text)
	}
	return 0
}

// HeaderFormat is the header's format (TEXT, IMAGE, …), "" without header.
func (t *Template) HeaderFormat() string {
	if c := t.component(ComponentHeader); c != nil {
		if c.Format == "" {
			return "TEXT"
		}
		return strings.ToUpper(c.Format)
	}
	return ""
}

// QuickReplyButtons lists the quick-reply buttons with their send index.
func (t *Template) QuickReplyButtons() []QuickReplyButton {
	var out []QuickReplyButton
	if c := t.component(ComponentButtons); c != nil {
		for i, b := range c.Buttons {
			if strings.EqualFold(b.Type, ButtonQuickReply) {
				out = append(out, QuickReplyButton{Index: i, Text: b.Text})
			}
		}
	}
	return out
}

// Render is the preview text: the TEXT header, body and footer, separated
// by blank lines, with {{n}} replaced by the n-th parameter. A placeholder
// with no parameter stays visible as {{n}} so the preview shows what is
// missing. Buttons are left to the caller (QuickReplyButtons).
func (t *Template) Render(headerParams, bodyParams []string) string {
	var parts []string
	if c := t.component(ComponentHeader); c != nil && c.Text != "" && t.HeaderFormat() == "TEXT" {
		parts = append(parts, fill(c.Text, headerParams))
	}
	if c := t.component(ComponentBody); c != nil && c.Text != "" {
		parts = append(parts, fill(c.Text, bodyParams))
	}
	if c := t.component(ComponentFooter); c != nil && c.Text != "" {
		parts = append(parts, c.Text)
	}
	return strings.Join(parts, "\n\n")
}

func fill(text string, params []string) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		n, err := strconv.Atoi(placeholder.FindStringSubmatch(m)[1])
		if err != nil || n < 1 || n > len(params) {
			return m
		}
		return params[n-1]
	})
}

func maxPlaceholder(text string) int {
	highest := 0
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > highest {
			highest = n
		}
	}
	return highest
}
