package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// getJSON GETs endpoint and decodes a 2xx answer into out. Failures come
// back as *APIError (platform refused) or a transport error, the platform's
// message kept in plain words for the admin.
func (c *Client) getJSON(ctx context.Context, endpoint string, out any) error {
	ans, _, err := c.roundTrip(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return err
	}
	if !ans.Success() {
		e := parseAPIError(ans.Status, ans.Body)
		e.Message, e.Details = c.scrub(e.Message), c.scrub(e.Details)
		return e
	}
	if ans.ReadErr != nil {
		return fmt.Errorf("read reply: %w", ans.ReadErr)
	}
	if err := json.Unmarshal(ans.Body, out); err != nil {
		return fmt.Errorf("decode reply: %w", err)
	}
	return nil
}
