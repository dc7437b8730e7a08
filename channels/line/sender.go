package line

import (
	"context"
	"fmt"

	"omnicast/channels"
)

// Send is the channels.Sender of a LINE channel: the content rendered for
// the person (their name in the texts) goes in one push carrying o.Key as
// the X-Line-Retry-Key.
func (c *Client) Send(ctx context.Context, o channels.Outgoing) channels.SendResult {
	msgs, err := renderContent(o.Content, o.Name, o.BroadcastID)
	if err != nil {
		return badRequest(err.Error())
	}
	r := c.Push(ctx, o.To, msgs, o.Key)
	if r.Outcome == channels.Sent {
		r.PartsSent = len(msgs)
	}
	return r
}

// Multicast is the channels.Multicaster of a LINE channel: identical
// content for up to MaxMulticastRecipients people in one request, key as
// its retry key. Personalised content is refused: nobody's name could be
// filled in (send it by Send, one push each).
func (c *Client) Multicast(ctx context.Context, to []string, content channels.Content, key string, broadcastID uint) channels.SendResult {
	if content.Personalised() {
		return badRequest("multicast: personalised content goes one push per person")
	}
	msgs, err := renderContent(content, "", broadcastID)
	if err != nil {
		return badRequest(err.Error())
	}
	r := c.MulticastMessages(ctx, to, msgs, key)
	if r.Outcome == channels.Sent {
		r.PartsSent = len(msgs)
	}
	return r
}

// MulticastMax is LINE's limit of recipients per multicast.
func (c *Client) MulticastMax() int { return MaxMulticastRecipients }

// renderContent renders texts and images.
// TODO(h8-bots): line.Render(c, name, channels.NewTapCoder(broadcastID))
// once on main (bot cards, tap payloads).
func renderContent(c channels.Content, name string, broadcastID uint) ([]Message, error) {
	_ = broadcastID
	if len(c.Parts) == 0 || len(c.Parts) > MaxMessagesPerRequest {
		return nil, fmt.Errorf("line: render: %d parts, 1 to %d allowed", len(c.Parts), MaxMessagesPerRequest)
	}
	out := make([]Message, 0, len(c.Parts))
	for i, p := range c.Parts {
		var m Message
		var err error
		switch {
		case p.Kind == channels.PartText:
			m, err = NewText(channels.FillName(p.Text, name))
		case p.Kind == channels.PartImage && p.Image != nil:
			preview := p.Image.PreviewURL
			if preview == "" {
				preview = p.Image.URL
			}
			m, err = NewImage(p.Image.URL, preview)
		default:
			err = fmt.Errorf("part kind %q not renderable yet", p.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("line: render part %d: %w", i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

var (
	_ channels.Sender      = (*Client)(nil)
	_ channels.Multicaster = (*Client)(nil)
)
