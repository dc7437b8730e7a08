package whatsapp

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"omnicast/channels"
)

// namedPlaceholder matches named parameters ({{first_name}}): Meta allows
// lowercase letters, digits and underscores, starting with a letter or
// an underscore.
var namedPlaceholder = regexp.MustCompile(`\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}`)

// NamedParams lists the named parameters of a text in order of first
// appearance; empty for a positional text.
func NamedParams(text string) []string {
	var out []string
	for _, m := range namedPlaceholder.FindAllStringSubmatch(text, -1) {
		if !containsString(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ErrEmptyName: a parameter is the contact's name and the contact has
// none (Meta refuses empty parameters); the caller passes a fallback.
var ErrEmptyName = errors.New("whatsapp: the contact's name is empty")

// RenderTemplate builds the template message of one person from a filled
// template: header and body parameters (fixed text or the contact's
// name; positional in order, or named with parameter_name), and for each
// quick-reply button the payload tap gives (button is the position among
// the quick-reply buttons; "" leaves the button without a payload, and
// WhatsApp then reports its text). The recipient (To) is the caller's to
// set. It refuses what Meta would: an unapproved template, a parameter
// count that does not match the template, an empty parameter.
func RenderTemplate(tpl Template, fill channels.TemplateFill, name string, tap func(button int) string) (TemplateMessage, error) {
	msg := TemplateMessage{Name: tpl.Name, Language: tpl.Language}
	if fill.Name != "" && fill.Name != tpl.Name {
		return msg, fmt.Errorf("whatsapp: fill of template %q given for %q", fill.Name, tpl.Name)
	}
	if !tpl.IsSendable() {
		return msg, fmt.Errorf("whatsapp: template %q is %s, not APPROVED", tpl.Name, tpl.Status)
	}
	value := func(p channels.TemplateParam) (string, error) {
		if p.ContactName {
			if strings.TrimSpace(name) == "" {
				return "", ErrEmptyName
			}
			return name, nil
		}
		return p.Text, nil
	}
	fillText := func(part, text string, params []channels.TemplateParam) (values, names []string, err error) {
		named := NamedParams(text)
		want := maxPlaceholder(text)
		if len(named) > 0 {
			want = len(named)
		}
		if len(params) != want {
			return nil, nil, fmt.Errorf("whatsapp: template %q %s takes %d parameters, %d given", tpl.Name, part, want, len(params))
		}
		for _, p := range params {
			v, err := value(p)
			if err != nil {
				return nil, nil, err
			}
			values = append(values, v)
			if len(named) > 0 {
				if !containsString(named, p.Name) {
					return nil, nil, fmt.Errorf("whatsapp: template %q %s has no parameter %q", tpl.Name, part, p.Name)
				}
				names = append(names, p.Name)
			}
		}
		return values, names, nil
	}
	var err error
	if h := tpl.component(ComponentHeader); h != nil && tpl.HeaderFormat() == "TEXT" {
		if msg.HeaderText, msg.HeaderNames, err = fillText("header", h.Text, fill.Header); err != nil {
			return msg, err
		}
	} else if len(fill.Header) > 0 {
		return msg, fmt.Errorf("whatsapp: template %q has no text header to fill", tpl.Name)
	}
	body := ""
	if b := tpl.component(ComponentBody); b != nil {
		body = b.Text
	}
	if msg.Body, msg.BodyNames, err = fillText("body", body, fill.Body); err != nil {
		return msg, err
	}
	qr := tpl.QuickReplyButtons()
	if len(fill.Buttons) > len(qr) {
		return msg, fmt.Errorf("whatsapp: template %q has %d quick-reply buttons, %d actions given", tpl.Name, len(qr), len(fill.Buttons))
	}
	for i, b := range qr {
		if tap == nil {
			break
		}
		if payload := tap(i); payload != "" {
			msg.WithQuickReply(b.Index, payload)
		}
	}
	return msg, nil
}
