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
// anything is parsed; nothing is stored unless all pass. Answers are plain
// text: platforms, not people, read them.
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
		lookup := s.profileLookup(c.Request().Context(), ch, secrets)
		for _, ev := range events {
			if _, err := models.ApplyWebhookEvent(s.db, ch, ev, lookup, s.now()); err != nil {
				// The platform will redeliver; dedupe keeps that safe.
				s.log.Error("webhook event not applied", "channel", ch.ID, "kind", ev.Kind, "err", err)
				return c.String(http.StatusInternalServerError, "try again")
			}
		}
		s.metrics.webhookEvents.WithLabelValues(kind).Add(float64(len(events)))
		return c.String(http.StatusOK, "ok")
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
		prof, err := p.Profile(ctx, userID)
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
