package line

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"omnicast/channels"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultBaseURL = "https://api.line.me"
	DefaultTimeout = 30 * time.Second
)

// maxResponseBytes caps how much of an answer is read. LINE's answers are a
// few hundred bytes; the cap keeps a misbehaving peer (or a wrong BaseURL)
// from making us buffer an unbounded body.
const maxResponseBytes = 1 << 20

// ErrNoToken is returned when the client has no channel access token: every
// call would be refused with 401, so none is made.
var ErrNoToken = errors.New("line: no channel access token configured")

// Config configures a Client. Only ChannelAccessToken is required.
type Config struct {
	// BaseURL is the Messaging API host, configurable so tests, the
	// simulator and benchmarks can point the client at loopback.
	// Default DefaultBaseURL.
	BaseURL string
	// ChannelAccessToken authenticates every call as a Bearer token. It is
	// never logged nor included in returned errors.
	ChannelAccessToken string
	// HTTPClient makes the requests. Default: a client with DefaultTimeout,
	// so a hung connection cannot block a broadcast worker forever.
	HTTPClient *http.Client
}

// Client calls the LINE Messaging API for one channel. It is safe for
// concurrent use.
type Client struct {
	base  string // without trailing slash
	token string
	http  *http.Client
}

// New returns a Client for cfg with defaults applied to zero fields.
func New(cfg Config) *Client {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{base: base, token: cfg.ChannelAccessToken, http: hc}
}

// call sends one request through the shared transport routine
// (channels.Do) and reads the answer. body, when non-nil, is sent as JSON.
// extra headers are added after the standard ones. When err is non-nil no
// answer came, and wrote tells whether LINE may have seen the request.
func (c *Client) call(ctx context.Context, method, path string, body []byte, extra http.Header) (ans channels.Answer, wrote bool, err error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return channels.Answer{}, false, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range extra {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return channels.Do(ctx, c.http, req, channels.DoOptions{MaxAnswerBytes: maxResponseBytes})
}
