package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// apiRecipientJSON is one recipient in the API.
type apiRecipientJSON struct {
	DeliveryID  uint64 `json:"delivery_id"`
	ContactID   uint64 `json:"contact_id"`
	Name        string `json:"name"`
	ExternalID  string `json:"external_id"`
	Status      string `json:"status"`
	Reason      string `json:"reason,omitempty"`
	ReasonText  string `json:"reason_text,omitempty"`
	SentAt      any    `json:"sent_at"`
	DeliveredAt any    `json:"delivered_at"`
	ReadAt      any    `json:"read_at"`
	ClickedAt   any    `json:"clicked_at"`
	RepliedAt   any    `json:"replied_at"`
}

// apiBroadcastRecipients is GET /api/v1/broadcasts/:id/recipients
// ?status=&q=&after=&limit=: a page of the recipients table, as on the
// broadcast's page, with the cursor of the next page ("next_after", null
// on the last).
func (s *Server) apiBroadcastRecipients(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return apiError(c, http.StatusNotFound, "not_found", "id", "api.error.not_found", nil)
	}
	if _, err := models.FindBroadcast(s.db, id); errors.Is(err, models.ErrNotFound) {
		return apiError(c, http.StatusNotFound, "not_found", "id", "api.error.not_found", nil)
	} else if err != nil {
		return err
	}
	f, ok := recipientFilterOf(c, id)
	if !ok {
		field := "status"
		if models.ValidRecipientStatus(f.Status) {
			field = "after"
		}
		return apiError(c, http.StatusUnprocessableEntity, "invalid", field, "recipients.error."+field, nil)
	}
	if l := c.QueryParam("limit"); l != "" {
		n, ok := parseID(l)
		if !ok || n > models.MaxRecipientsPage {
			return apiError(c, http.StatusUnprocessableEntity, "invalid", "limit", "recipients.error.limit",
				map[string]any{"Max": models.MaxRecipientsPage})
		}
		f.Limit = int(n)
	}
	rows, next, err := models.ListRecipients(s.db, f)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	out := make([]apiRecipientJSON, 0, len(rows))
	for _, r := range rows {
		j := apiRecipientJSON{DeliveryID: r.DeliveryID, ContactID: r.ContactID, Name: r.Name, ExternalID: r.ExternalID,
			Status: r.Stage(), Reason: r.Reason, SentAt: r.SentAt, DeliveredAt: r.DeliveredAt, ReadAt: r.ReadAt,
			ClickedAt: r.ClickedAt, RepliedAt: r.RepliedAt}
		if r.Reason != "" {
			j.ReasonText = reasonWords(ctx, "report.reason.", r.Reason)
		}
		out = append(out, j)
	}
	var nextAfter any
	if next > 0 {
		nextAfter = next
	}
	return c.JSON(http.StatusOK, map[string]any{"recipients": out, "next_after": nextAfter, "status": f.Status})
}
