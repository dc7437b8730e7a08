package web

import (
	"context"
	"net/http"

	"omnicast/models"
)

// webhookTarget is a channel that events of a delivery are applied to,
// with the profile look-up through its own token.
type webhookTarget struct {
	ch     *models.Channel
	lookup models.ProfileLookup
}

// webhookRouter decides, for one delivery that arrived on the URL of
// channel recv, which channel each event belongs to. Meta sends the events
// of every Page (or number) of one app to one callback URL, so an event
// names its account (AccountID) and may belong to another channel of the
// same kind: it goes there when that channel's app secret verifies the
// same signature (the sender could speak for it), and is dropped, with one
// log line per account and delivery, when no connected channel can take
// it. LINE signs per channel and addresses events to the bot's user id,
// which channels do not record: its events stay on the channel they came to.
type webhookRouter struct {
	s       *Server
	ctx     context.Context
	kind    string
	wk      webhookKind
	recv    *models.Channel
	own     *webhookTarget
	body    []byte
	header  http.Header
	targets map[string]*webhookTarget // by account id; nil: drop
}

func (s *Server) newWebhookRouter(ctx context.Context, kind string, wk webhookKind, recv *models.Channel, secrets models.ChannelSecrets, body []byte, h http.Header) *webhookRouter {
	own := &webhookTarget{ch: recv, lookup: s.profileLookup(ctx, recv, secrets)}
	return &webhookRouter{
		s: s, ctx: ctx, kind: kind, wk: wk, recv: recv, own: own, body: body, header: h,
		targets: map[string]*webhookTarget{recv.ExternalID: own},
	}
}

// target returns the channel an event addressed to accountID belongs to,
// or nil when it must be dropped. An error means the channels could not
// be looked up (a transient one asks for redelivery).
func (r *webhookRouter) target(accountID string) (*webhookTarget, error) {
	if !r.recv.IsMeta() {
		return r.own, nil
	}
	if t, seen := r.targets[accountID]; seen {
		return t, nil
	}
	t, err := r.resolve(accountID)
	if err != nil {
		return nil, err
	}
	r.targets[accountID] = t
	return t, nil
}

// resolve finds the connected channel of accountID whose secret verifies
// the delivery's signature.
func (r *webhookRouter) resolve(accountID string) (*webhookTarget, error) {
	log := r.s.log.With("kind", r.kind, "received_on", r.recv.ID, "account", models.CleanText(accountID, 80))
	if accountID == "" {
		log.Warn("webhook events name no account: dropped")
		return nil, nil
	}
	candidates, err := models.FindChannelsByExternalID(r.s.db, r.kind, accountID)
	if err != nil {
		return nil, err
	}
	for i := range candidates {
		ch := &candidates[i]
		secrets, err := ch.Secrets(r.s.sealer)
		if err != nil {
			log.Error("webhook: secrets of channel unreadable", "channel", ch.ID, "err", err)
			continue
		}
		if r.wk.verify(secrets.Secret, r.body, r.header) == nil {
			log.Info("webhook events routed to the account's channel", "channel", ch.ID)
			return &webhookTarget{ch: ch, lookup: r.s.profileLookup(r.ctx, ch, secrets)}, nil
		}
	}
	if len(candidates) > 0 {
		log.Warn("webhook events for a connected account signed with another app's secret: dropped")
	} else {
		log.Warn("webhook events for an account not connected: dropped")
	}
	return nil, nil
}
