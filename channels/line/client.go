package line

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"
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

// answer is an HTTP answer read in full (up to maxResponseBytes).
type answer struct {
	status int
	header http.Header
	body   []byte
	// readErr is set when the body could not be read completely; the
	// status is still meaningful.
	readErr error
}

// call sends one request and reads the answer. body, when non-nil, is sent
// as JSON. extra headers are added after the standard ones.
//
// When err is non-nil no answer came; wrote then tells whether the request
// headers had been handed to the connection. Before that LINE cannot have
// acted on the request, so a retry is safe; after it the outcome is unknown.
// wrote is conservative: it may be true although nothing left the process,
// never the other way round.
func (c *Client) call(ctx context.Context, method, path string, body []byte, extra http.Header) (ans answer, wrote bool, err error) {
	var sent atomic.Bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { sent.Store(true) }}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, c.base+path, rd)
	if err != nil {
		return answer{}, false, fmt.Errorf("building request: %w", err)
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
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, sent.Load(), err
	}
	defer resp.Body.Close()
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	return answer{status: resp.StatusCode, header: resp.Header, body: data, readErr: readErr}, true, nil
}
