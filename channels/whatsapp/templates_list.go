package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// templatePageSize asks for large pages so few round trips are needed.
const templatePageSize = "100"

// maxTemplatePages bounds the paging loop against a server that never
// stops answering with a next page.
const maxTemplatePages = 1000

type templatePage struct {
	Data   []Template `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// ListTemplates returns every template of the WhatsApp Business Account,
// whatever its status, following the cursor paging until Graph stops giving
// a next page. The next URL is not fetched as such: its cursor is replayed
// against the configured base URL, so the token never goes anywhere else.
func (c *Client) ListTemplates(ctx context.Context) ([]Template, error) {
	if c.wabaID == "" {
		return nil, errors.New("whatsapp: list templates: no WhatsApp Business Account id configured")
	}
	var all []Template
	after := ""
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page == maxTemplatePages {
			return nil, fmt.Errorf("whatsapp: list templates: more than %d pages", maxTemplatePages)
		}
		// No "fields": the default fields are exactly the ones omnicast
		// uses, and naming a field this API version lacks fails the call.
		q := url.Values{"limit": {templatePageSize}}
		if after != "" {
			q.Set("after", after)
		}
		var p templatePage
		if err := c.getJSON(ctx, c.endpoint(q, c.wabaID, "message_templates"), &p); err != nil {
			return nil, fmt.Errorf("whatsapp: list templates: %w", err)
		}
		all = append(all, p.Data...)
		if p.Paging.Next == "" {
			return all, nil
		}
		after = p.Paging.Cursors.After
		if after == "" {
			if u, err := url.Parse(p.Paging.Next); err == nil {
				after = u.Query().Get("after")
			}
		}
		if after == "" || seen[after] {
			// A next page we cannot address, or a cursor repeating itself:
			// stop rather than loop or return duplicates.
			return all, nil
		}
		seen[after] = true
	}
}
