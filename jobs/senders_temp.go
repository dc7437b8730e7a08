package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/line"
	"omnicast/channels/messenger"
	"omnicast/channels/whatsapp"
	"omnicast/models"
)

// TEMPORARY (helper dispatch, issue 9): until channels/connect (helper
// "sender") lands, the dispatcher builds its clients here, rendering
// texts and images only (bot cards come with the issue 8 renderers).
// Replace channelSenders' body with connect.Client.

// SenderFactory builds the platform client of a channel.
type SenderFactory func(ctx context.Context, db *gorm.DB, ch *models.Channel) (Sender, error)

// sendTimeout bounds one platform request.
const sendTimeout = 30 * time.Second

func channelSenders(sealer *models.Sealer) SenderFactory {
	return channelSendersWith(sealer, &http.Client{Timeout: sendTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 256}})
}

func channelSendersWith(sealer *models.Sealer, hc *http.Client) SenderFactory {
	return func(ctx context.Context, db *gorm.DB, ch *models.Channel) (Sender, error) {
		if sealer == nil {
			return nil, errors.New("jobs: no credentials sealer")
		}
		s, err := ch.Secrets(sealer)
		if err != nil {
			return nil, err
		}
		switch ch.Kind {
		case channels.KindLINE:
			return lineSender{c: line.New(line.Config{BaseURL: ch.APIBaseURL, ChannelAccessToken: s.AccessToken, HTTPClient: hc})}, nil
		case channels.KindMessenger:
			return messengerSender{c: messenger.New(messenger.Config{BaseURL: ch.APIBaseURL, PageID: ch.ExternalID, PageAccessToken: s.AccessToken, HTTPClient: hc})}, nil
		case channels.KindWhatsApp:
			return whatsappSender{c: whatsapp.New(whatsapp.Config{BaseURL: ch.APIBaseURL, PhoneNumberID: ch.ExternalID, WABAID: ch.WABAID, AccessToken: s.AccessToken, HTTPClient: hc})}, nil
		}
		return nil, fmt.Errorf("jobs: channel %d of kind %s cannot broadcast", ch.ID, ch.Kind)
	}
}

func localFail(err error) channels.SendResult {
	return channels.SendResult{Outcome: channels.Permanent, Reason: channels.ReasonBadRequest, Detail: err.Error()}
}

type lineSender struct{ c *line.Client }

func lineMessages(c channels.Content, name string) ([]line.Message, error) {
	var out []line.Message
	for _, p := range c.Parts {
		switch p.Kind {
		case channels.PartText:
			m, err := line.NewText(channels.FillName(p.Text, name))
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		case channels.PartImage:
			m, err := line.NewImage(p.Image.URL, p.Image.PreviewURL)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		default:
			return nil, fmt.Errorf("jobs: part kind %s not rendered yet", p.Kind)
		}
	}
	return out, nil
}

func (s lineSender) Send(ctx context.Context, o Outgoing) channels.SendResult {
	msgs, err := lineMessages(o.Content, o.Name)
	if err != nil {
		return localFail(err)
	}
	return s.c.Push(ctx, o.To, msgs, o.Key)
}

func (s lineSender) Multicast(ctx context.Context, to []string, c channels.Content, key string, _ uint) channels.SendResult {
	msgs, err := lineMessages(c, "")
	if err != nil {
		return localFail(err)
	}
	return s.c.Multicast(ctx, to, msgs, key)
}

func (s lineSender) MulticastMax() int { return 500 }

type messengerSender struct{ c *messenger.Client }

func (s messengerSender) Send(ctx context.Context, o Outgoing) channels.SendResult {
	var first channels.SendResult
	for i, p := range o.Content.Parts {
		var m messenger.Message
		var err error
		switch p.Kind {
		case channels.PartText:
			m, err = messenger.Text(channels.FillName(p.Text, o.Name))
		case channels.PartImage:
			m, err = messenger.Image(p.Image.URL)
		default:
			err = fmt.Errorf("jobs: part kind %s not rendered yet", p.Kind)
		}
		if err != nil {
			return localFail(err)
		}
		r := s.c.Send(ctx, o.To, m, messenger.SendOptions{Tag: o.MessageTag})
		if i == 0 {
			first = r
		}
		if r.Outcome != channels.Sent {
			if i > 0 { // part of the message went out: never resend it
				r.Outcome = channels.Uncertain
			}
			return r
		}
	}
	return first
}

type whatsappSender struct{ c *whatsapp.Client }

func (s whatsappSender) Send(ctx context.Context, o Outgoing) channels.SendResult {
	t := o.Content.Template
	if t == nil {
		return localFail(errors.New("jobs: a WhatsApp broadcast needs a template"))
	}
	fill := func(ps []channels.TemplateParam) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.Text
			if p.ContactName {
				out[i] = o.Name
			}
		}
		return out
	}
	m := whatsapp.NewTemplateMessage(o.To, t.Name, t.Language)
	if len(t.Header) > 0 {
		m = m.WithHeaderText(fill(t.Header)...)
	}
	if len(t.Body) > 0 {
		m = m.WithBody(fill(t.Body)...)
	}
	return s.c.SendTemplate(ctx, m)
}
