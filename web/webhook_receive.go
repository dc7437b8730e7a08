package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/channels/meta"
	"omnicast/models"
)

// maxWebhookBody is the largest webhook body accepted (1 MiB).
const maxWebhookBody = 1 << 20

// profileTimeout bounds the profile look-up a new contact triggers, so the
// platform gets its 200 quickly.
const profileTimeout = 3 * time.Second

// webhookReceive handles POST /webhooks/<kind>/:id. The order of checks is
// deliberate: size, channel, then the signature over the raw bytes before
// anything is parsed; nothing is stored unless all pass. Then each event
// stands on its own: it is routed to the channel of the account it names
// (webhookRouter), and one that cannot be stored is dropped with a logged
// reason while the rest are applied. The answer is 200 unless the database
// could not be reached (IsTransient): then 503, and the platform
// redelivers, which dedupe keys make safe. Answers are plain text:
// platforms, not people, read them.
func (s *Server) webhookReceive(kind string) echo.HandlerFunc {
	wk := webhookKinds()[kind]
	return func(c echo.Context) error {
		body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxWebhookBody+1))
		if err != nil {
			return c.String(http.StatusBadRequest, "unreadable body")
		}
		if len(body) > maxWebhookBody {
			return c.String(http.StatusRequestEntityTooLarge, "body too large")
		}
		ch, secrets, status := s.webhookChannel(c, kind)
		if status != 0 {
			return c.String(status, http.StatusText(status))
		}
		if err := wk.verify(secrets.Secret, body, c.Request().Header); err != nil {
			s.log.Warn("webhook signature refused", "channel", ch.ID, "kind", kind, "ip", c.RealIP())
			return c.String(http.StatusUnauthorized, "bad signature")
		}
		events, err := wk.parse(body)
		if err != nil {
			return c.String(http.StatusBadRequest, "malformed body")
		}
		s.metrics.webhookEvents.WithLabelValues(kind).Add(float64(len(events)))
		router := s.newWebhookRouter(c.Request().Context(), kind, wk, ch, secrets, body, c.Request().Header)
		now := s.now()
		for _, ev := range events {
			if err := s.applyWebhookEvent(router, ev, now); err != nil {
				// Later events would fail the same way; the platform
				// redelivers the whole delivery.
				c.Response().Header().Set("Retry-After", "30")
				return c.String(http.StatusServiceUnavailable, "try again")
			}
		}
		return c.String(http.StatusOK, "ok")
	}
}

// applyWebhookEvent routes and applies one event. It returns an error only
// for a transient failure, which asks for redelivery; every other failure
// drops the event, with its reason logged and counted.
func (s *Server) applyWebhookEvent(router *webhookRouter, ev channels.Event, now time.Time) error {
	log := s.log.With("kind", router.kind, "received_on", router.recv.ID, "event", ev.Kind)
	target, err := router.target(ev.AccountID)
	if err != nil {
		if models.IsTransient(err) {
			log.Error("webhook: channels unavailable, asking for redelivery", "err", err)
			return err
		}
		log.Error("webhook event dropped: channel look-up failed", "err", err)
		s.metrics.webhookDropped.WithLabelValues(router.kind, "failed").Inc()
		return nil
	}
	if target == nil {
		s.metrics.webhookDropped.WithLabelValues(router.kind, "unrouted").Inc()
		return nil // logged by the router, once per account
	}
	log = log.With("channel", target.ch.ID)
	out, err := models.ApplyWebhookEvent(s.db, target.ch, ev, target.lookup, now)
	switch {
	case err == nil:
		if len(out.Repaired) > 0 {
			log.Warn("webhook: unreadable contact row repaired with the event's time", "contact", out.ContactID, "columns", out.Repaired)
		}
		return nil
	case models.IsTransient(err):
		log.Error("webhook event not applied, asking for redelivery", "err", err)
		return err
	case errors.Is(err, models.ErrEventInvalid):
		log.Warn("webhook event dropped", "reason", err)
		s.metrics.webhookDropped.WithLabelValues(router.kind, "invalid").Inc()
		return nil
	default:
		log.Error("webhook event dropped: not storable", "err", err)
		s.metrics.webhookDropped.WithLabelValues(router.kind, "failed").Inc()
		return nil
	}
}

// webhookChannel loads :id of the right kind and opens its secrets; a
// non-zero status is the answer to give instead.
func (s *Server) webhookChannel(c echo.Context, kind string) (*models.Channel, models.ChannelSecrets, int) {
	id, err := idParam(c)
	if err != nil {
		return nil, models.ChannelSecrets{}, http.StatusNotFound
	}
	ch, err := models.FindChannel(s.db, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && ch.Kind != kind) {
		return nil, models.ChannelSecrets{}, http.StatusNotFound
	}
	if err != nil {
		s.log.Error("webhook channel", "err", err)
		if models.IsTransient(err) {
			return nil, models.ChannelSecrets{}, http.StatusServiceUnavailable
		}
		return nil, models.ChannelSecrets{}, http.StatusInternalServerError
	}
	secrets, err := ch.Secrets(s.sealer)
	if err != nil {
		s.log.Error("webhook channel secrets", "channel", ch.ID, "err", err)
		return nil, models.ChannelSecrets{}, http.StatusInternalServerError
	}
	return ch, secrets, 0
}

// profileLookup asks the platform for a new contact's name and picture.
func (s *Server) profileLookup(ctx context.Context, ch *models.Channel, secrets models.ChannelSecrets) models.ProfileLookup {
	return func(userID string) (channels.Profile, bool) {
		p, err := s.platforms.For(ch, secrets)
		if err != nil {
			return channels.Profile{}, false
		}
		ctx, cancel := context.WithTimeout(ctx, profileTimeout)
		defer cancel()
		prof, err := p.Profiles.Profile(ctx, userID)
		if err != nil {
			s.log.Info("profile unavailable, keeping stored name", "channel", ch.ID, "err", err)
			return channels.Profile{}, false
		}
		return prof, true
	}
}

// webhookVerify answers Meta's GET hub.* handshake.
func (s *Server) webhookVerify(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ch, _, status := s.webhookChannel(c, kind)
		if status != 0 {
			return c.String(status, http.StatusText(status))
		}
		challenge, ok := meta.VerifyHandshake(ch.VerifyToken, c.QueryParam("hub.mode"), c.QueryParam("hub.verify_token"), c.QueryParam("hub.challenge"))
		if !ok {
			return c.String(http.StatusForbidden, "verify token mismatch")
		}
		return c.String(http.StatusOK, challenge)
	}
}
