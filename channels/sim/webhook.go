package sim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"omnicast/channels"
	"omnicast/channels/meta"
)

// LINESignatureHeader carries the signature of a LINE webhook body.
const LINESignatureHeader = "X-Line-Signature"

// hookCall is one webhook request: where it goes and what it carries.
type hookCall struct {
	kind   string
	url    string
	secret string
	body   []byte
}

// SignLINE returns the X-Line-Signature of body: base64(HMAC-SHA256(channel
// secret, body)).
func SignLINE(channelSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(channelSecret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// newHook marshals a webhook body for acc. Caller holds s.mu (it reads acc).
func newHook(acc *account, payload any) (*hookCall, error) {
	if acc.WebhookURL == "" {
		return nil, fmt.Errorf("sim: account %s has no WebhookURL", acc.ExternalID)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return &hookCall{kind: acc.Kind, url: acc.WebhookURL, secret: acc.Secret, body: body}, nil
}

// deliver POSTs a signed webhook and expects 200. The call is abandoned
// when ctx ends or the Sim closes. At most cap(s.hooks) calls run at once.
func (s *Sim) deliver(ctx context.Context, h *hookCall) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	select {
	case s.hooks <- struct{}{}:
		defer func() { <-s.hooks }()
	case <-ctx.Done():
		return ctx.Err()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(h.body))
	if err != nil {
		return fmt.Errorf("sim: webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if h.kind == channels.KindLINE {
		req.Header.Set("User-Agent", "LineBotWebhook/2.0")
		req.Header.Set(LINESignatureHeader, SignLINE(h.secret, h.body))
	} else {
		req.Header.Set("User-Agent", "facebookexternalua")
		req.Header.Set(meta.SignatureHeader, meta.Sign(h.secret, h.body))
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("sim: webhook %s: %w", h.kind, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return &WebhookError{Status: resp.StatusCode, Body: string(snippet)}
	}
	s.log.Debug("sim: webhook delivered", "kind", h.kind, "bytes", len(h.body))
	return nil
}

// WebhookError is returned when omnicast's webhook does not answer 200.
type WebhookError struct {
	Status int
	Body   string
}

func (e *WebhookError) Error() string {
	return fmt.Sprintf("sim: webhook answered %d: %s", e.Status, e.Body)
}

// ErrUnknown is returned by the call-backs for an unknown account or person.
var ErrUnknown = errors.New("sim: unknown account or person")
