package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// TemplateMessage is a template send to one person, built with
// NewTemplateMessage and the chained setters, and marshalled to the Cloud
// API's shape by MarshalJSON. Only templates may be sent outside the
// 24-hour customer-service window, so every broadcast goes out as one.
type TemplateMessage struct {
	// To is the person's wa_id.
	To string
	// Name and Language select the approved template (e.g. "en_US").
	Name     string
	Language string
	// HeaderText fills {{n}} placeholders of a TEXT header.
	HeaderText []string
	// HeaderNames, when set, names each HeaderText value (a template of
	// named parameters: parameter_name).
	HeaderNames []string
	// HeaderImageLink fills an IMAGE header (http or https URL).
	HeaderImageLink string
	// Body fills the body's {{1}}…{{n}} placeholders, in order.
	Body []string
	// BodyNames, when set, names each Body value (parameter_name).
	BodyNames []string
	// QuickReplies sets the payload each quick-reply button returns in the
	// webhook when tapped, by the button's index in the template.
	QuickReplies []QuickReplyPayload
}

// QuickReplyPayload is the payload of the quick-reply button at Index
// (its position among the template's buttons, 0-based).
type QuickReplyPayload struct {
	Index   int
	Payload string
}

// NewTemplateMessage starts a template message to wa_id to.
func NewTemplateMessage(to, name, language string) *TemplateMessage {
	return &TemplateMessage{To: to, Name: name, Language: language}
}

// WithHeaderText sets the text header's parameters.
func (m *TemplateMessage) WithHeaderText(params ...string) *TemplateMessage {
	m.HeaderText = params
	return m
}

// WithHeaderImage sets the image header's link.
func (m *TemplateMessage) WithHeaderImage(link string) *TemplateMessage {
	m.HeaderImageLink = link
	return m
}

// WithBody sets the body's text parameters.
func (m *TemplateMessage) WithBody(params ...string) *TemplateMessage {
	m.Body = params
	return m
}

// WithQuickReply sets the payload of the quick-reply button at index,
// replacing an earlier payload for the same index.
func (m *TemplateMessage) WithQuickReply(index int, payload string) *TemplateMessage {
	m.QuickReplies = slices.DeleteFunc(m.QuickReplies, func(q QuickReplyPayload) bool { return q.Index == index })
	m.QuickReplies = append(m.QuickReplies, QuickReplyPayload{Index: index, Payload: payload})
	return m
}

// maxButtonIndex: a template has at most 10 buttons (index "0"…"9").
const maxButtonIndex = 9

// Validate checks what would make Meta refuse the message, so a broken
// broadcast fails locally instead of spending a request per person. Meta
// refuses empty parameters, hence the checks on each.
func (m *TemplateMessage) Validate() error {
	var errs []error
	if m.To == "" {
		errs = append(errs, errors.New("no recipient"))
	}
	if m.Name == "" {
		errs = append(errs, errors.New("no template name"))
	}
	if m.Language == "" {
		errs = append(errs, errors.New("no language code"))
	}
	if len(m.HeaderText) > 0 && m.HeaderImageLink != "" {
		errs = append(errs, errors.New("header has both text parameters and an image"))
	}
	if m.HeaderImageLink != "" {
		if u, err := url.Parse(m.HeaderImageLink); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("header image link %q is not an http(s) URL", m.HeaderImageLink))
		}
	}
	for i, p := range m.HeaderText {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, fmt.Errorf("header parameter {{%d}} is empty", i+1))
		}
	}
	for i, p := range m.Body {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, fmt.Errorf("body parameter {{%d}} is empty", i+1))
		}
	}
	if len(m.HeaderNames) > 0 && len(m.HeaderNames) != len(m.HeaderText) {
		errs = append(errs, errors.New("header parameter names do not match the parameters"))
	}
	if len(m.BodyNames) > 0 && len(m.BodyNames) != len(m.Body) {
		errs = append(errs, errors.New("body parameter names do not match the parameters"))
	}
	seen := map[int]bool{}
	for _, q := range m.QuickReplies {
		switch {
		case q.Index < 0 || q.Index > maxButtonIndex:
			errs = append(errs, fmt.Errorf("button index %d out of range 0-%d", q.Index, maxButtonIndex))
		case seen[q.Index]:
			errs = append(errs, fmt.Errorf("button index %d given twice", q.Index))
		case q.Payload == "":
			errs = append(errs, fmt.Errorf("button %d has an empty payload", q.Index))
		}
		seen[q.Index] = true
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("whatsapp: template message: %w", err)
	}
	return nil
}

// Wire shapes of POST /{phone-number-id}/messages.
type (
	wireTemplateMessage struct {
		MessagingProduct string       `json:"messaging_product"`
		RecipientType    string       `json:"recipient_type"`
		To               string       `json:"to"`
		Type             string       `json:"type"`
		Template         wireTemplate `json:"template"`
	}
	wireTemplate struct {
		Name       string          `json:"name"`
		Language   wireLanguage    `json:"language"`
		Components []wireComponent `json:"components,omitempty"`
	}
	// wireLanguage carries policy "deterministic": Meta's spec marks it
	// required and the API accepts it (it is the only policy).
	wireLanguage struct {
		Policy string `json:"policy"`
		Code   string `json:"code"`
	}
	wireComponent struct {
		Type       string      `json:"type"`
		SubType    string      `json:"sub_type,omitempty"`
		Index      string      `json:"index,omitempty"`
		Parameters []wireParam `json:"parameters"`
	}
	wireParam struct {
		Type string `json:"type"`
		Text string `json:"text,omitempty"`
		// Name is a named parameter's name (parameter_name).
		Name    string    `json:"parameter_name,omitempty"`
		Image   *wireLink `json:"image,omitempty"`
		Payload string    `json:"payload,omitempty"`
	}
	wireLink struct {
		Link string `json:"link"`
	}
)

// MarshalJSON renders the Cloud API body: messaging_product "whatsapp",
// type "template", components header, body, then buttons by index.
func (m TemplateMessage) MarshalJSON() ([]byte, error) {
	w := wireTemplateMessage{
		MessagingProduct: "whatsapp", RecipientType: "individual", To: m.To, Type: "template",
		Template: wireTemplate{Name: m.Name, Language: wireLanguage{Policy: "deterministic", Code: m.Language}},
	}
	switch {
	case m.HeaderImageLink != "":
		w.Template.Components = append(w.Template.Components, wireComponent{
			Type: "header", Parameters: []wireParam{{Type: "image", Image: &wireLink{Link: m.HeaderImageLink}}},
		})
	case len(m.HeaderText) > 0:
		w.Template.Components = append(w.Template.Components, wireComponent{Type: "header", Parameters: textParams(m.HeaderText, m.HeaderNames)})
	}
	if len(m.Body) > 0 {
		w.Template.Components = append(w.Template.Components, wireComponent{Type: "body", Parameters: textParams(m.Body, m.BodyNames)})
	}
	qr := slices.Clone(m.QuickReplies)
	slices.SortStableFunc(qr, func(a, b QuickReplyPayload) int { return a.Index - b.Index })
	for _, q := range qr {
		w.Template.Components = append(w.Template.Components, wireComponent{
			Type: "button", SubType: "quick_reply", Index: strconv.Itoa(q.Index),
			Parameters: []wireParam{{Type: "payload", Payload: q.Payload}},
		})
	}
	return json.Marshal(w)
}

func textParams(values, names []string) []wireParam {
	ps := make([]wireParam, len(values))
	for i, v := range values {
		ps[i] = wireParam{Type: "text", Text: v}
		if i < len(names) {
			ps[i].Name = names[i]
		}
	}
	return ps
}

// TextMessage is a free-form text message. Meta accepts it only inside the
// 24-hour customer-service window (else error 131047), e.g. as the answer
// to a quick-reply tap.
type TextMessage struct {
	To   string
	Body string
	// PreviewURL asks WhatsApp to render a preview of the first URL.
	PreviewURL bool
}

// Validate checks the message locally.
func (m TextMessage) Validate() error {
	var errs []error
	if m.To == "" {
		errs = append(errs, errors.New("no recipient"))
	}
	if strings.TrimSpace(m.Body) == "" {
		errs = append(errs, errors.New("empty text"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("whatsapp: text message: %w", err)
	}
	return nil
}

type wireTextMessage struct {
	MessagingProduct string   `json:"messaging_product"`
	RecipientType    string   `json:"recipient_type"`
	To               string   `json:"to"`
	Type             string   `json:"type"`
	Text             wireText `json:"text"`
}

type wireText struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url"`
}

// MarshalJSON renders the Cloud API body of a text message.
func (m TextMessage) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireTextMessage{
		MessagingProduct: "whatsapp", RecipientType: "individual", To: m.To, Type: "text",
		Text: wireText{Body: m.Body, PreviewURL: m.PreviewURL},
	})
}
