package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"omnicast/channels"
)

// TemplateSource finds a template of the channel by name and language code
// (omnicast reads its synchronised copy from the database). A broadcast
// sends one template to many people, so the Client asks once per template
// and keeps the answer.
type TemplateSource func(ctx context.Context, name, language string) (Template, error)

// ErrNoTemplateSource: the Client was built without a TemplateSource, so
// it cannot fill templates.
var ErrNoTemplateSource = errors.New("whatsapp: no template source configured")

// templateCache keeps the templates a Client has looked up.
type templateCache struct {
	mu   sync.Mutex
	byID map[string]Template
}

func (c *Client) template(ctx context.Context, name, language string) (Template, error) {
	if c.templates == nil {
		return Template{}, ErrNoTemplateSource
	}
	key := name + "\x00" + language
	c.cache.mu.Lock()
	t, ok := c.cache.byID[key]
	c.cache.mu.Unlock()
	if ok {
		return t, nil
	}
	t, err := c.templates(ctx, name, language)
	if err != nil {
		return Template{}, fmt.Errorf("whatsapp: template %s (%s): %w", name, language, err)
	}
	c.cache.mu.Lock()
	if c.cache.byID == nil {
		c.cache.byID = map[string]Template{}
	}
	c.cache.byID[key] = t
	c.cache.mu.Unlock()
	return t, nil
}

// Send is the channels.Sender of a WhatsApp number: the content's filled
// template, with each parameter for this person (their name where the fill
// says so) and a payload on each quick-reply button, in one request. A
// template that is missing, not approved or filled wrongly is refused
// locally and stops the broadcast: every other person would fail alike.
func (c *Client) Send(ctx context.Context, o channels.Outgoing) channels.SendResult {
	fill := o.Content.Template
	if fill == nil {
		return localFailure(errors.New("whatsapp: send: content without a template"))
	}
	tpl, err := c.template(ctx, fill.Name, fill.Language)
	if err != nil {
		r := localFailure(err)
		r.StopBroadcast = true
		return r
	}
	msg, err := renderTemplate(tpl, *fill, o.Name, o.BroadcastID)
	if err != nil {
		r := localFailure(err)
		r.StopBroadcast = !errors.Is(err, errEmptyName)
		return r
	}
	msg.To = o.To
	r := c.SendTemplate(ctx, &msg)
	if r.Outcome == channels.Sent {
		r.PartsSent = 1
	}
	return r
}

// errEmptyName: a parameter is the contact's name and the contact has
// none; only that person fails.
var errEmptyName = errors.New("whatsapp: the contact's name is empty")

// renderTemplate fills tpl for one person (positional parameters).
// TODO(h8-core, h8-bots): whatsapp.RenderTemplate (named parameters) with
// channels.EncodeTap payloads once both are on main.
func renderTemplate(tpl Template, fill channels.TemplateFill, name string, broadcastID uint) (TemplateMessage, error) {
	_ = broadcastID
	msg := TemplateMessage{Name: tpl.Name, Language: tpl.Language}
	if !tpl.IsSendable() {
		return msg, fmt.Errorf("whatsapp: template %q is %s, not APPROVED", tpl.Name, tpl.Status)
	}
	values := func(ps []channels.TemplateParam) ([]string, error) {
		out := make([]string, 0, len(ps))
		for _, p := range ps {
			v := p.Text
			if p.ContactName {
				if strings.TrimSpace(name) == "" {
					return nil, errEmptyName
				}
				v = name
			}
			out = append(out, v)
		}
		return out, nil
	}
	var err error
	if n := tpl.HeaderParamCount(); n != len(fill.Header) {
		return msg, fmt.Errorf("whatsapp: template %q header takes %d parameters, %d given", tpl.Name, n, len(fill.Header))
	}
	if n := tpl.BodyParamCount(); n != len(fill.Body) {
		return msg, fmt.Errorf("whatsapp: template %q body takes %d parameters, %d given", tpl.Name, n, len(fill.Body))
	}
	if msg.HeaderText, err = values(fill.Header); err != nil {
		return msg, err
	}
	if msg.Body, err = values(fill.Body); err != nil {
		return msg, err
	}
	return msg, nil
}

var _ channels.Sender = (*Client)(nil)
