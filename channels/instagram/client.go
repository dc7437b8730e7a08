package instagram

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"omnicast/channels"
	"omnicast/channels/messenger"
)

// Config configures a Client. Only AccessToken is required.
type Config struct {
	// BaseURL is the Graph API host. Default messenger.DefaultBaseURL
	// (graph.facebook.com, for the Page token of Messenger-API-for-Instagram
	// apps); Instagram-Login tokens use https://graph.instagram.com.
	BaseURL string
	// APIVersion is the Graph API version. Default messenger.DefaultAPIVersion.
	APIVersion string
	// AccessToken authenticates every call; it never appears in errors.
	AccessToken string
	// HTTPClient makes the requests. Default: a client with a 30 s timeout.
	HTTPClient *http.Client
}

// Client reads Instagram profiles and the connected account. It is safe
// for concurrent use.
type Client struct {
	graph *messenger.Client
}

// New returns a Client for cfg with defaults applied to zero fields.
func New(cfg Config) *Client {
	return &Client{graph: messenger.New(messenger.Config{
		BaseURL: cfg.BaseURL, APIVersion: cfg.APIVersion,
		PageAccessToken: cfg.AccessToken, HTTPClient: cfg.HTTPClient,
	})}
}

// Account is the Instagram professional account behind the token.
type Account struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// Profile reads the name and picture of the person with Instagram-scoped id
// igsid. The name falls back to the username, which every account has. A
// failure is a *messenger.APIError (wrapped); callers keep the stored name.
func (c *Client) Profile(ctx context.Context, igsid string) (channels.Profile, error) {
	var p struct {
		Name       string `json:"name"`
		Username   string `json:"username"`
		ProfilePic string `json:"profile_pic"`
	}
	if err := c.graph.GraphGet(ctx, igsid, "name,username,profile_pic", &p); err != nil {
		return channels.Profile{}, fmt.Errorf("instagram: profile of %s: %w", igsid, err)
	}
	name := strings.TrimSpace(p.Name)
	if name == "" {
		name = strings.TrimSpace(p.Username)
	}
	return channels.Profile{Name: name, PictureURL: p.ProfilePic}, nil
}

// Me returns the account behind the access token, proving the token works.
func (c *Client) Me(ctx context.Context) (Account, error) {
	var a Account
	if err := c.graph.GraphGet(ctx, "me", "id,username,name", &a); err != nil {
		return Account{}, fmt.Errorf("instagram: test connection: %w", err)
	}
	return a, nil
}
