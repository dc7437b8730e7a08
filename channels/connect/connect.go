// Package connect builds the API clients of a connected channel in ONE
// place, shared by web (test connection, profiles, quota, test sends) and
// jobs (the dispatcher, template sync). It is fed a plain Channel that
// models fills from a stored channel and its decrypted credentials
// (models.Channel.Connect); it knows nothing of the database.
package connect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"omnicast/channels"
	"omnicast/channels/instagram"
	"omnicast/channels/line"
	"omnicast/channels/messenger"
	"omnicast/channels/whatsapp"
)

// Channel is what building a channel's clients takes.
type Channel struct {
	// Kind is channels.KindMessenger, KindInstagram, KindLINE or KindWhatsApp.
	Kind string
	// ExternalID is the Page id, LINE channel id, WhatsApp phone number id
	// or Instagram account id.
	ExternalID string
	// WABAID is the WhatsApp Business Account (templates).
	WABAID string
	// BaseURL is the API host; "" is the platform's official one.
	BaseURL string
	// AccessToken is the decrypted Page / channel / system-user token. It
	// is never logged.
	AccessToken string
	// Templates is where a WhatsApp Sender finds the templates it fills
	// (models: the synchronised copy). Nil: WhatsApp sends are refused.
	Templates whatsapp.TemplateSource
}

// Profiler reads a person's name and picture.
type Profiler interface {
	Profile(ctx context.Context, userID string) (channels.Profile, error)
}

// Tester proves the credentials work and names the account they reach.
type Tester interface {
	TestConnection(ctx context.Context) (string, error)
}

// Quota is a LINE channel's monthly message quota and this month's use.
type Quota struct {
	Unlimited bool
	Limit     int64
	Used      int64
}

// QuotaReader reads the monthly quota (LINE).
type QuotaReader interface {
	Quota(ctx context.Context) (Quota, error)
}

// TemplateLister lists the message templates (WhatsApp).
type TemplateLister interface {
	ListTemplates(ctx context.Context) ([]whatsapp.Template, error)
}

// Clients is what a channel's platform offers. Fields a kind lacks are nil.
type Clients struct {
	Kind string
	// Sender sends broadcasts; nil for Instagram (not broadcastable).
	Sender channels.Sender
	// Multicaster sends identical content to many at once (LINE).
	Multicaster channels.Multicaster
	// Profiles reads people's profiles; WhatsApp's answers ErrNoProfileAPI
	// (names come with messages).
	Profiles Profiler
	// Tester is "Test connection".
	Tester Tester
	// Quota reads LINE's monthly quota.
	Quota QuotaReader
	// Templates lists WhatsApp's message templates.
	Templates TemplateLister

	// The typed clients, for what is platform-specific.
	LINE      *line.Client
	Messenger *messenger.Client
	WhatsApp  *whatsapp.Client
	Instagram *instagram.Client
}

// ErrNoProfileAPI: the platform has no profile look-up (WhatsApp: names
// arrive with each inbound message instead).
var ErrNoProfileAPI = errors.New("connect: the platform has no profile API")

// ErrUnknownKind is returned for a kind no client exists for.
var ErrUnknownKind = errors.New("connect: no client for this channel kind")

// Client builds the clients of ch. hc makes the requests (nil: each
// client's default, with its timeout); pass one shared client so
// connections are reused.
func Client(ch Channel, hc *http.Client) (Clients, error) {
	out := Clients{Kind: ch.Kind}
	switch ch.Kind {
	case channels.KindLINE:
		c := line.New(line.Config{BaseURL: ch.BaseURL, ChannelAccessToken: ch.AccessToken, HTTPClient: hc})
		out.LINE, out.Sender, out.Multicaster, out.Profiles = c, c, c, c
		out.Tester, out.Quota = lineAccount{c}, lineAccount{c}
	case channels.KindMessenger:
		c := messenger.New(messenger.Config{BaseURL: ch.BaseURL, PageID: ch.ExternalID, PageAccessToken: ch.AccessToken, HTTPClient: hc})
		out.Messenger, out.Sender, out.Profiles, out.Tester = c, c, c, messengerPage{c}
	case channels.KindWhatsApp:
		c := whatsapp.New(whatsapp.Config{BaseURL: ch.BaseURL, PhoneNumberID: ch.ExternalID, WABAID: ch.WABAID,
			AccessToken: ch.AccessToken, HTTPClient: hc, Templates: ch.Templates})
		out.WhatsApp, out.Sender, out.Templates, out.Tester = c, c, c, whatsAppNumber{c}
		out.Profiles = noProfiles{}
	case channels.KindInstagram:
		c := instagram.New(instagram.Config{BaseURL: ch.BaseURL, AccessToken: ch.AccessToken, HTTPClient: hc})
		out.Instagram, out.Profiles, out.Tester = c, c, instagramAccount{c}
	default:
		return Clients{}, fmt.Errorf("%w: %q", ErrUnknownKind, ch.Kind)
	}
	return out, nil
}

type lineAccount struct{ c *line.Client }

func (a lineAccount) TestConnection(ctx context.Context) (string, error) {
	info, err := a.c.BotInfo(ctx)
	if err != nil {
		return "", err
	}
	if info.BasicID != "" {
		return info.DisplayName + " (" + info.BasicID + ")", nil
	}
	return info.DisplayName, nil
}

func (a lineAccount) Quota(ctx context.Context) (Quota, error) {
	q, err := a.c.Quota(ctx)
	if err != nil {
		return Quota{}, err
	}
	used, err := a.c.QuotaConsumption(ctx)
	if err != nil {
		return Quota{}, err
	}
	return Quota{Unlimited: strings.EqualFold(q.Type, line.QuotaNone), Limit: q.Value, Used: used}, nil
}

type messengerPage struct{ c *messenger.Client }

func (p messengerPage) TestConnection(ctx context.Context) (string, error) {
	page, err := p.c.Me(ctx)
	if err != nil {
		return "", err
	}
	return page.Name, nil
}

type whatsAppNumber struct{ c *whatsapp.Client }

func (n whatsAppNumber) TestConnection(ctx context.Context) (string, error) {
	info, err := n.c.PhoneNumber(ctx)
	if err != nil {
		return "", err
	}
	return info.VerifiedName + " " + info.DisplayPhoneNumber, nil
}

type instagramAccount struct{ c *instagram.Client }

func (a instagramAccount) TestConnection(ctx context.Context) (string, error) {
	acc, err := a.c.Me(ctx)
	if err != nil {
		return "", err
	}
	if acc.Name != "" {
		return acc.Name, nil
	}
	return acc.Username, nil
}

type noProfiles struct{}

func (noProfiles) Profile(context.Context, string) (channels.Profile, error) {
	return channels.Profile{}, ErrNoProfileAPI
}
