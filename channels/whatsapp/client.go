package whatsapp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"omnicast/channels"
)

// Defaults applied by New when a Config field is left empty.
const (
	DefaultBaseURL    = "https://graph.facebook.com"
	DefaultAPIVersion = "v23.0"
	DefaultTimeout    = 30 * time.Second
)

// userAgent identifies omnicast to Meta. It follows the product/x.y.z form
// the official spec requires (Go's default "Go-http-client/1.1" does not).
const userAgent = "omnicast/1.0.0"

// maxReplyBytes caps how much of a reply is read: Graph API answers are
// small, and an unbounded read of a misbehaving server could exhaust memory.
const maxReplyBytes = 4 << 20

// Config configures a Client. PhoneNumberID is needed to send and for
// PhoneNumber, WABAID for ListTemplates.
type Config struct {
	// BaseURL is the Graph API origin; tests and the simulator point it at
	// loopback. Default DefaultBaseURL.
	BaseURL string
	// APIVersion is the Graph API version path segment. Default DefaultAPIVersion.
	APIVersion string
	// PhoneNumberID is the business phone number's id (not the number).
	PhoneNumberID string
	// WABAID is the WhatsApp Business Account id owning the templates.
	WABAID string
	// AccessToken is a system-user or business token, sent as a Bearer
	// header (never in the URL, so it cannot leak through url.Error texts).
	AccessToken string
	// HTTPClient defaults to a client with a DefaultTimeout timeout.
	HTTPClient *http.Client
	// Templates finds the templates Send fills; without it Send refuses.
	Templates TemplateSource
}

// Client talks to the WhatsApp Cloud API for one phone number. It is safe
// for concurrent use.
type Client struct {
	base, version   string
	phoneID, wabaID string
	token           string
	hc              *http.Client
	templates       TemplateSource
	cache           templateCache
}

// New returns a Client with cfg's empty fields set to their defaults.
func New(cfg Config) *Client {
	c := &Client{
		base:    strings.TrimRight(cfg.BaseURL, "/"),
		version: strings.Trim(cfg.APIVersion, "/"),
		phoneID: cfg.PhoneNumberID,
		wabaID:  cfg.WABAID,
		token:   cfg.AccessToken,
		hc:      cfg.HTTPClient,

		templates: cfg.Templates,
	}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if c.version == "" {
		c.version = DefaultAPIVersion
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: DefaultTimeout}
	}
	return c
}

// endpoint builds {base}/{version}/{segments...}?query, escaping each
// segment so an id can never change the path.
func (c *Client) endpoint(query url.Values, segments ...string) string {
	var b strings.Builder
	b.WriteString(c.base)
	b.WriteString("/")
	b.WriteString(url.PathEscape(c.version))
	for _, s := range segments {
		b.WriteString("/")
		b.WriteString(url.PathEscape(s))
	}
	if len(query) > 0 {
		b.WriteString("?")
		b.WriteString(query.Encode())
	}
	return b.String()
}

// roundTrip sends one request with Bearer auth through the shared
// transport routine (channels.Do). When err is non-nil no answer came and
// wrote tells whether Meta may have seen the request; a *configError means
// the request could not even be built.
func (c *Client) roundTrip(ctx context.Context, method, endpoint string, body []byte) (ans channels.Answer, wrote bool, err error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, rd)
	if err != nil {
		return channels.Answer{}, false, &configError{err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return channels.Do(ctx, c.hc, req, channels.DoOptions{MaxAnswerBytes: maxReplyBytes, Redact: c.scrubErr})
}

// configError is a request that could not even be built (a malformed base
// URL): retrying cannot help until an admin fixes the configuration.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// scrub removes the access token from text that may end up in reports or
// logs. The token travels only in a header, so this is belt and braces
// against a platform or proxy echoing it back.
func (c *Client) scrub(s string) string {
	if len(c.token) < 8 {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[redacted]")
}

func (c *Client) scrubErr(err error) error {
	if err == nil || len(c.token) < 8 || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return scrubbedError{msg: c.scrub(err.Error()), err: err}
}

// scrubbedError keeps the wrapped chain (for errors.Is/As) but prints the
// redacted text.
type scrubbedError struct {
	msg string
	err error
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.err }
