package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
	"omnicast/views/i18n"
)

// reportRowShow answers a row's poll (GET /broadcasts/:id/row) with the
// row as it is now; a finished row no longer polls.
func (s *Server) reportRowShow(c echo.Context) error {
	r, err := s.loadBroadcastRow(c)
	if err != nil {
		return err
	}
	back := c.QueryParam("back")
	return s.render(c, http.StatusOK, views.ReportRowView(s.reportRow(c, r, currentUser(c), back)))
}

// reportRow is the list's view of one broadcast.
func (s *Server) reportRow(c echo.Context, r *models.BroadcastListRow, u *models.User, back string) views.ReportRow {
	b := &r.Broadcast
	loc := s.Workspace().Location()
	ctx := c.Request().Context()
	path := "/broadcasts/" + strconv.FormatUint(uint64(b.ID), 10)
	v := views.ReportRow{
		ID: b.ID, Subject: b.Subject, Kind: r.ChannelKind, ChannelName: r.ChannelName, Status: b.Status,
		When: b.SendTime().In(loc).Format("2006-01-02 15:04"), Method: b.Method, Creator: r.CreatorName,
		Audience: b.AudienceCount, Sent: b.SentCount, Delivered: b.DeliveredCount, Read: b.ReadCount,
		Failed: b.FailedCount, Skipped: b.SkippedCount, Uncertain: b.UncertainCount, Clicked: b.ClickedCount,
		Href: path, CSRF: csrfToken(c), Back: back,
	}
	v.SentRate = rateOf(b.SentCount, b.AudienceCount)
	if r.ChannelKind != channels.KindLINE {
		v.DeliveredRate = rateOf(b.DeliveredCount, b.AudienceCount)
		v.ReadRate = rateOf(b.ReadCount, b.DeliveredCount)
	}
	v.FailedRate = rateOf(b.FailedCount, b.AudienceCount)
	v.SkippedRate = rateOf(b.SkippedCount, b.AudienceCount)
	v.ShowProgress, v.Percent, v.Left = s.progressOf(ctx, b)
	if !reportRowSettled(b.Status) {
		v.PollHref = path + "/row"
		if back != "" {
			v.PollHref += "?back=" + url.QueryEscape(back)
		}
	}
	if models.CanControl(b, u) {
		switch b.Status {
		case models.BroadcastDraft, models.BroadcastScheduled, models.BroadcastMissed:
			v.EditHref = path + "/edit"
		}
		switch b.Status {
		case models.BroadcastScheduled, models.BroadcastMissed:
			v.CancelHref = path + "/cancel"
		}
	}
	return v
}

// reportRowSettled: the row no longer changes by itself (a scheduled one
// starts by itself, so it polls too).
func reportRowSettled(status string) bool {
	switch status {
	case models.BroadcastDone, models.BroadcastCancelled, models.BroadcastDraft, models.BroadcastMissed:
		return true
	}
	return false
}

// rateOf is n of total as a percentage with one decimal ("—" without a
// total).
func rateOf(n, total int64) string {
	if total <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", float64(n)*100/float64(total))
}

// durationWords says a duration to staff: seconds, minutes or hours.
func durationWords(ctx context.Context, d time.Duration) string {
	switch {
	case d < time.Minute:
		return i18n.T(ctx, "report.dur.seconds", "N", int(d.Seconds()))
	case d < time.Hour:
		return i18n.T(ctx, "report.dur.minutes", "N", int(d.Round(time.Minute).Minutes()))
	}
	return i18n.T(ctx, "report.dur.hours", "H", int(d.Hours()), "M", int(d.Minutes())%60)
}

// progressOf is what a sending or paused broadcast shows of its progress:
// whether to show it, the percentage, and the time left in words while
// sending (empty when it cannot be told yet).
func (s *Server) progressOf(ctx context.Context, b *models.Broadcast) (show bool, percent int, left string) {
	if b.Status != models.BroadcastSending && b.Status != models.BroadcastPaused {
		return false, 0, ""
	}
	p := b.ProgressAt(s.now())
	if b.Status == models.BroadcastSending && p.Left > 0 {
		left = durationWords(ctx, p.Left)
	}
	return true, p.Percent(), left
}
