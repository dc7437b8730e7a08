package messenger

import (
	"context"
	"fmt"
	"strings"

	"omnicast/channels"
)

// Send is the channels.Sender of a Page: it renders the content for the
// person (their name in the texts) and sends one Send API request per part,
// in order, from o.FromPart. The first part's message id is the provider
// id. A failure on part k stops there with PartsSent = k: the parts before
// it went out, so a retry must start at FromPart = k.
func (c *Client) Send(ctx context.Context, o channels.Outgoing) channels.SendResult {
	tag, err := apiTag(o.MessageTag)
	if err != nil {
		return badRequest(err.Error())
	}
	msgs, err := renderContent(o.Content, o.Name, o.BroadcastID)
	if err != nil {
		return badRequest(err.Error())
	}
	if o.FromPart < 0 || o.FromPart >= len(msgs) {
		return badRequest(fmt.Sprintf("from part %d of %d", o.FromPart, len(msgs)))
	}
	opts := SendOptions{Tag: tag}
	var first channels.SendResult
	for i := o.FromPart; i < len(msgs); i++ {
		r := c.SendMessage(ctx, o.To, msgs[i], opts)
		r.PartsSent = i
		if r.Outcome != channels.Sent {
			if i > o.FromPart {
				// Some parts are out: keep the first id for receipts.
				r.ProviderMessageID = first.ProviderMessageID
			}
			return r
		}
		if i == o.FromPart {
			first = r
		}
	}
	first.PartsSent = len(msgs)
	return first
}

// apiTag maps a broadcast's message tag, in the Send API's names or the
// product's (models.Tag*), to the Send API's; "" is a standard message.
func apiTag(tag string) (string, error) {
	switch strings.TrimSpace(tag) {
	case "", "standard":
		return "", nil
	case "event_update":
		return TagConfirmedEventUpdate, nil
	case "post_purchase_update":
		return TagPostPurchaseUpdate, nil
	case "account_update":
		return TagAccountUpdate, nil
	}
	if ValidTag(tag) {
		return tag, nil
	}
	return "", fmt.Errorf("%w: %q", ErrTagNotAllowed, tag)
}

// renderContent renders texts and images.
// TODO(h8-bots): messenger.Render(c, name, channels.NewTapCoder(broadcastID))
// once on main (bot cards, tap payloads).
func renderContent(c channels.Content, name string, broadcastID uint) ([]Message, error) {
	_ = broadcastID
	if len(c.Parts) == 0 || len(c.Parts) > channels.MaxParts {
		return nil, fmt.Errorf("messenger: render: %d parts, 1 to %d allowed", len(c.Parts), channels.MaxParts)
	}
	out := make([]Message, 0, len(c.Parts))
	for i, p := range c.Parts {
		var m Message
		var err error
		switch {
		case p.Kind == channels.PartText:
			m, err = Text(channels.FillName(p.Text, name))
		case p.Kind == channels.PartImage && p.Image != nil:
			m, err = Image(p.Image.URL)
		default:
			err = fmt.Errorf("part kind %q not renderable yet", p.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("messenger: render part %d: %w", i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

var _ channels.Sender = (*Client)(nil)
