package web

import (
	"context"
	"errors"
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
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := models.FindBroadcastRow(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return echo.ErrNotFound
	} else if err != nil {
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
	switch b.Status {
	case models.BroadcastSending, models.BroadcastPaused:
		p := b.ProgressAt(s.now())
		v.ShowProgress, v.Percent = true, p.Percent()
		if b.Status == models.BroadcastSending && p.Left > 0 {
			v.Left = durationWords(ctx, p.Left)
		}
	}
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
