package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"omnicast/channels"
)

// BotInfo is the channel's own LINE account, shown by "Test connection".
type BotInfo struct {
	UserID      string `json:"userId"`
	BasicID     string `json:"basicId"` // e.g. "@123abcde", what people search for
	PremiumID   string `json:"premiumId,omitempty"`
	DisplayName string `json:"displayName"`
	PictureURL  string `json:"pictureUrl,omitempty"`
	ChatMode    string `json:"chatMode"`       // chat | bot
	MarkAsRead  string `json:"markAsReadMode"` // auto | manual
}

// Quota types answered by GET /v2/bot/message/quota.
const (
	QuotaNone    = "none"    // no monthly target limit
	QuotaLimited = "limited" // Value messages per month
)

// MessageQuota is the channel's monthly message limit.
type MessageQuota struct {
	// Type is QuotaNone or QuotaLimited.
	Type string `json:"type"`
	// Value is the monthly limit when Type is QuotaLimited.
	Value int64 `json:"value"`
}

// userProfile is the answer of GET /v2/bot/profile/{userId}.
type userProfile struct {
	DisplayName string `json:"displayName"`
	UserID      string `json:"userId"`
	PictureURL  string `json:"pictureUrl"`
}

// quotaConsumption is the answer of GET /v2/bot/message/quota/consumption.
type quotaConsumption struct {
	TotalUsage int64 `json:"totalUsage"`
}

// Profile returns a person's display name and picture. LINE only answers for
// people who are friends of the account (404 otherwise); callers keep the
// stored name when it fails.
func (c *Client) Profile(ctx context.Context, userID string) (channels.Profile, error) {
	if userID == "" {
		return channels.Profile{}, errors.New("line: profile: empty user id")
	}
	var p userProfile
	if err := c.get(ctx, "/v2/bot/profile/"+url.PathEscape(userID), &p); err != nil {
		return channels.Profile{}, fmt.Errorf("line: profile: %w", err)
	}
	return channels.Profile{Name: p.DisplayName, PictureURL: p.PictureURL}, nil
}

// BotInfo returns the channel's own account; it is the cheapest call that
// proves the access token works, hence "Test connection".
func (c *Client) BotInfo(ctx context.Context) (BotInfo, error) {
	var b BotInfo
	if err := c.get(ctx, "/v2/bot/info", &b); err != nil {
		return BotInfo{}, fmt.Errorf("line: bot info: %w", err)
	}
	return b, nil
}

// Quota returns the channel's monthly message limit.
func (c *Client) Quota(ctx context.Context) (MessageQuota, error) {
	var q MessageQuota
	if err := c.get(ctx, "/v2/bot/message/quota", &q); err != nil {
		return MessageQuota{}, fmt.Errorf("line: quota: %w", err)
	}
	return q, nil
}

// QuotaConsumption returns how many messages the channel sent this month
// (every push or multicast recipient counts one, whatever the number of
// bubbles).
func (c *Client) QuotaConsumption(ctx context.Context) (int64, error) {
	var q quotaConsumption
	if err := c.get(ctx, "/v2/bot/message/quota/consumption", &q); err != nil {
		return 0, fmt.Errorf("line: quota consumption: %w", err)
	}
	return q.TotalUsage, nil
}

// get reads one JSON resource into out. A non-200 answer is returned as
// *APIError carrying LINE's message.
func (c *Client) get(ctx context.Context, path string, out any) error {
	if c.token == "" {
		return ErrNoToken
	}
	ans, _, err := c.call(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return err
	}
	if ans.Status != http.StatusOK {
		return decodeAPIError(ans)
	}
	if ans.ReadErr != nil {
		return fmt.Errorf("reading answer: %w", ans.ReadErr)
	}
	if err := json.Unmarshal(ans.Body, out); err != nil {
		return fmt.Errorf("decoding answer: %w", err)
	}
	return nil
}
