package web

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
	"omnicast/views/i18n"
)

// recipientFilterOf reads the recipients table's query: status, q and
// the cursor after (a delivery id). A status it does not know is "all".
func recipientFilterOf(c echo.Context, id uint) (models.RecipientFilter, bool) {
	f := models.RecipientFilter{BroadcastID: id, Status: c.QueryParam("status"), Q: c.QueryParam("q")}
	if f.Status == "" {
		f.Status = models.RecipientsAll
	}
	if !models.ValidRecipientStatus(f.Status) {
		return f, false
	}
	if a := c.QueryParam("after"); a != "" {
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return f, false
		}
		f.After = n
	}
	return f, true
}

// recipientQuery is the query string of a recipients filter (without
// the cursor unless after > 0).
func recipientQuery(f models.RecipientFilter, after uint64) string {
	q := url.Values{}
	if f.Status != "" && f.Status != models.RecipientsAll {
		q.Set("status", f.Status)
	}
	if f.Q != "" {
		q.Set("q", f.Q)
	}
	if after > 0 {
		q.Set("after", strconv.FormatUint(after, 10))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// reportRecipients builds the recipients table of broadcast id's page.
func (s *Server) reportRecipients(c echo.Context, id uint, path string) (views.ReportRecipients, error) {
	f, ok := recipientFilterOf(c, id)
	if !ok {
		f = models.RecipientFilter{BroadcastID: id, Status: models.RecipientsAll}
	}
	rows, next, err := models.ListRecipients(s.db, f)
	if err != nil {
		return views.ReportRecipients{}, err
	}
	ctx := c.Request().Context()
	loc := s.Workspace().Location()
	out := views.ReportRecipients{Action: path, Status: f.Status, Statuses: models.RecipientStatuses(), Q: f.Q,
		CSVHref: path + "/recipients.csv" + recipientQuery(models.RecipientFilter{Status: f.Status}, 0)}
	if next > 0 {
		out.NextHref = path + recipientQuery(f, next) + "#recipients"
	}
	for _, r := range rows {
		out.Rows = append(out.Rows, recipientView(ctx, r, loc))
	}
	return out, nil
}

// recipientView is one row in words, times in the workspace zone.
func recipientView(ctx context.Context, r models.Recipient, loc *time.Location) views.ReportRecipient {
	v := views.ReportRecipient{DeliveryID: r.DeliveryID, Name: r.Name, ExternalID: r.ExternalID, Stage: r.Stage(),
		SentAt: localTime(r.SentAt, loc), DeliveredAt: localTime(r.DeliveredAt, loc), ReadAt: localTime(r.ReadAt, loc),
		ClickedAt: localTime(r.ClickedAt, loc)}
	if r.Reason != "" {
		v.Reason = reasonWords(ctx, "report.reason.", r.Reason)
	}
	if v.Name == "" {
		v.Name = i18n.T(ctx, "recipients.no_name")
	}
	return v
}

// localTime is t in loc to the second, or "" when unset.
func localTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04:05")
}
