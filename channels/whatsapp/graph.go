package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// getJSON GETs endpoint and decodes a 2xx answer into out. Failures come
// back as *APIError (platform refused) or a transport error, the platform's
// message kept in plain words for the admin.
func (c *Client) getJSON(ctx context.Context, endpoint string, out any) error {
	rep, err := c.roundTrip(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		var te *transportError
		if errors.As(err, &te) && te.status != 0 && (te.status < 200 || te.status > 299) {
			return &APIError{Status: te.status, Message: http.StatusText(te.status)}
		}
		return err
	}
	if rep.status < 200 || rep.status > 299 {
		e := parseAPIError(rep.status, rep.body)
		e.Message, e.Details = c.scrub(e.Message), c.scrub(e.Details)
		return e
	}
	if err := json.Unmarshal(rep.body, out); err != nil {
		return fmt.Errorf("decode reply: %w", err)
	}
	return nil
}
