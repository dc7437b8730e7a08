package messenger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"omnicast/channels"
)

// Defaults applied by New to a zero Config field.
const (
	DefaultBaseURL    = "https://graph.facebook.com"
	DefaultAPIVersion = "v23.0"
	DefaultTimeout    = 30 * time.Second
)

// maxResponseBytes caps how much of a Graph API answer is read. Real answers
// are a few hundred bytes; the cap keeps a misbehaving peer (or a wrong
// BaseURL) from making us buffer an unbounded body.
const maxResponseBytes = 1 << 20

// ErrNoToken is returned when the client has no access token: every Graph
// API call would fail, so we do not make one.
var ErrNoToken = errors.New("no access token configured")

// Config configures a Client. Only PageAccessToken is required.
type Config struct {
	// BaseURL is the Graph API host, configurable so tests and the
	// simulator can point the client at loopback. Default DefaultBaseURL.
	BaseURL string
	// APIVersion is the Graph API version path segment. Default DefaultAPIVersion.
	APIVersion string
	// PageID identifies the Page the token belongs to. Requests use the
	// /me alias (resolved from the token), so it is informational: callers
	// compare it with Me().ID and with webhook entry ids.
	PageID string
	// PageAccessToken authenticates every call. It is sent as the
	// access_token query parameter and never appears in returned errors.
	PageAccessToken string
	// HTTPClient makes the requests. Default: a client with DefaultTimeout,
	// so a hung connection cannot block a broadcast worker forever.
	HTTPClient *http.Client
}

// Client calls the Messenger Platform on behalf of one Page. It is safe for
// concurrent use.
type Client struct {
	root   string // base URL + "/" + version, without trailing slash
	pageID string
	token  string
	http   *http.Client
}

// New returns a Client for cfg with defaults applied to zero fields.
func New(cfg Config) *Client {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	version := strings.Trim(cfg.APIVersion, "/")
	if version == "" {
		version = DefaultAPIVersion
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{root: base + "/" + version, pageID: cfg.PageID, token: cfg.PageAccessToken, http: hc}
}

// PageID returns the configured Page id.
func (c *Client) PageID() string { return c.pageID }

// url builds {root}/{node}[/{edge}]?access_token=…&extra. node is escaped
// as a single path segment so an id from a webhook cannot change the path.
func (c *Client) url(node, edge string, extra url.Values) string {
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	q.Set("access_token", c.token)
	u := c.root + "/" + url.PathEscape(node)
	if edge != "" {
		u += "/" + edge
	}
	return u + "?" + q.Encode()
}

// GraphGet reads one Graph API node (an id, or "me") with the given
// comma-separated fields and decodes the answer into out. A non-200 answer
// is returned as *APIError. Instagram reuses it: both platforms share the
// Graph API's request and error conventions.
func (c *Client) GraphGet(ctx context.Context, node, fields string, out any) error {
	if c.token == "" {
		return ErrNoToken
	}
	if node == "" {
		return errors.New("graph API GET: empty node id")
	}
	var extra url.Values
	if fields != "" {
		extra = url.Values{"fields": {fields}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url(node, "", extra), nil)
	if err != nil {
		return fmt.Errorf("graph API GET %s: %w", node, redact(err))
	}
	ans, _, err := channels.Do(ctx, c.http, req, channels.DoOptions{MaxAnswerBytes: maxResponseBytes, Redact: redact})
	if err != nil {
		return fmt.Errorf("graph API GET %s: %w", node, err)
	}
	if ans.Status != http.StatusOK {
		return decodeAPIError(ans.Status, ans.Body)
	}
	if ans.ReadErr != nil {
		return fmt.Errorf("graph API GET %s: reading answer: %w", node, ans.ReadErr)
	}
	body := ans.Body
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("graph API GET %s: decoding answer: %w", node, err)
	}
	return nil
}

// redact removes the access token from the URL that net/http puts in its
// *url.Error, keeping the error chain (timeouts, dial errors) intact so
// callers can still inspect it with errors.Is / errors.As.
func redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	clean := *ue
	clean.URL = redactURL(ue.URL)
	return &clean
}

// redactURL replaces the access_token query value with a placeholder.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	q := u.Query()
	if q.Has("access_token") {
		q.Set("access_token", "REDACTED")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
