package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
	"omnicast/views/i18n"
)

// figuresPollAfterDone is how long a finished broadcast's page keeps
// refreshing its figures: receipts (delivered, read) and taps keep
// arriving after the last send.
const figuresPollAfterDone = 10 * time.Minute

// broadcastShow is one broadcast's page (GET /broadcasts/:id).
func (s *Server) broadcastShow(c echo.Context) error {
	r, err := s.loadBroadcastRow(c)
	if err != nil {
		return err
	}
	b := &r.Broadcast
	ctx := c.Request().Context()
	path := "/broadcasts/" + strconv.FormatUint(uint64(b.ID), 10)
	d := views.ReportShow{CSS: s.assets.URL("css/report.css"), CSRF: csrfToken(c), Row: s.reportShowRow(c, r, path)}
	if b.Status == models.BroadcastPaused && b.PauseReason != "" {
		d.Notice = pauseWords(ctx, b.PauseReason)
	}
	if b.Status == models.BroadcastMissed {
		d.Notice = i18n.T(ctx, "report.missed_notice")
	}
	if b.Status == models.BroadcastScheduled && b.ScheduledAt != nil {
		if left := b.ScheduledAt.Sub(s.now()); left < time.Hour {
			d.EditWarning = i18n.T(ctx, "report.edit_last_hour")
		} else {
			d.EditWarning = i18n.T(ctx, "report.edit_hour_ahead")
		}
	}
	d.Conditions = s.reportConditions(c, b)
	d.Messages = s.reportMessages(c, b)
	if d.Figures, err = s.reportFigures(ctx, r); err != nil {
		return err
	}
	if d.Audit, err = s.reportAudit(b.ID); err != nil {
		return err
	}
	if d.Recipients, err = s.reportRecipients(c, b.ID, path); err != nil {
		return err
	}
	if d.Actions, err = s.reportActions(c, b, path); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ReportShowPage(s.page(c, "nav.broadcasts", "broadcasts"), d))
}

// reportShowRow is the broadcast's row as its page shows it: with the
// controls of its status (pause, resume, cancel, edit), without the
// list's poll.
func (s *Server) reportShowRow(c echo.Context, r *models.BroadcastListRow, path string) views.ReportRow {
	b := &r.Broadcast
	row := s.reportRow(c, r, currentUser(c), path)
	row.PollHref = ""
	if models.CanControl(b, currentUser(c)) {
		switch b.Status {
		case models.BroadcastSending:
			row.PauseHref = path + "/pause"
			row.CancelHref = path + "/cancel"
		case models.BroadcastPaused:
			row.ResumeHref = path + "/resume"
			row.CancelHref = path + "/cancel"
		}
	}
	return row
}

// broadcastFiguresShow answers the figures' poll (GET /broadcasts/:id/figures),
// with the page's controls for the status it reports.
func (s *Server) broadcastFiguresShow(c echo.Context) error {
	r, err := s.loadBroadcastRow(c)
	if err != nil {
		return err
	}
	path := "/broadcasts/" + strconv.FormatUint(uint64(r.Broadcast.ID), 10)
	d := views.ReportShow{CSRF: csrfToken(c), Row: s.reportShowRow(c, r, path)}
	if d.Figures, err = s.reportFigures(c.Request().Context(), r); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ReportFiguresPoll(d))
}

func (s *Server) loadBroadcastRow(c echo.Context) (*models.BroadcastListRow, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	r, err := models.FindBroadcastRow(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, echo.ErrNotFound
	}
	return r, err
}

// reportFigures builds the live block from the maintained counters and
// the reasons of the deliveries that did not go out.
func (s *Server) reportFigures(ctx context.Context, r *models.BroadcastListRow) (views.ReportFigures, error) {
	b := &r.Broadcast
	path := "/broadcasts/" + strconv.FormatUint(uint64(b.ID), 10)
	f := views.ReportFigures{ID: b.ID, Kind: r.ChannelKind, Status: b.Status}
	settled := reportRowSettled(b.Status)
	if !settled || (b.Status == models.BroadcastDone && b.FinishedAt != nil && s.now().Sub(*b.FinishedAt) < figuresPollAfterDone) {
		f.PollHref = path + "/figures"
	}
	f.ShowProgress, f.Percent, f.Left = s.progressOf(ctx, b)
	fig := func(key string, n int64, rate string) views.ReportFigure {
		return views.ReportFigure{Key: key, Label: i18n.T(ctx, "report.fig."+key), Value: views.Grouped(n), Rate: rate,
			How: i18n.T(ctx, "report.how."+key)}
	}
	f.Headline = []views.ReportFigure{
		fig("audience", b.AudienceCount, ""),
		fig("sent", b.SentCount, rateOf(b.SentCount, b.AudienceCount)),
	}
	if r.ChannelKind == channels.KindLINE {
		// LINE reports neither delivery nor reading: say so rather than
		// show a rate of 0.
		f.Headline = append(f.Headline, views.ReportFigure{Key: "delivered", Label: i18n.T(ctx, "report.fig.delivered"), Value: "—",
			How: i18n.T(ctx, "report.line_no_reads")})
	} else {
		f.Headline = append(f.Headline,
			fig("delivered", b.DeliveredCount, rateOf(b.DeliveredCount, b.AudienceCount)),
			fig("read", b.ReadCount, rateOf(b.ReadCount, b.DeliveredCount)))
	}
	f.Headline = append(f.Headline,
		fig("clicked", b.ClickedCount, rateOf(b.ClickedCount, clickBase(r))),
		fig("replied", b.RepliedCount, rateOf(b.RepliedCount, b.SentCount)),
		fig("unsubscribed", b.UnsubscribedCount, rateOf(b.UnsubscribedCount, b.SentCount)),
		fig("failed", b.FailedCount, rateOf(b.FailedCount, b.AudienceCount)),
		fig("skipped", b.SkippedCount, rateOf(b.SkippedCount, b.AudienceCount)),
	)
	if b.UncertainCount > 0 {
		f.Headline = append(f.Headline, fig("uncertain", b.UncertainCount, rateOf(b.UncertainCount, b.AudienceCount)))
	}
	step := func(key string, n int64) views.FunnelStep {
		return views.FunnelStep{Key: key, Label: i18n.T(ctx, "report.fig."+key), N: n}
	}
	f.Funnel = []views.FunnelStep{step("audience", b.AudienceCount), step("sent", b.SentCount)}
	if r.ChannelKind != channels.KindLINE {
		f.Funnel = append(f.Funnel, step("delivered", b.DeliveredCount), step("read", b.ReadCount))
	}
	f.Funnel = append(f.Funnel, step("clicked", b.ClickedCount))
	var reasons []models.ReasonCount
	if b.FailedCount+b.SkippedCount+b.UncertainCount > 0 {
		// Only then are there rows to group (the counters say so).
		var err error
		if reasons, err = models.BroadcastReasons(s.db, b.ID); err != nil {
			return f, err
		}
	}
	for _, rc := range reasons {
		code := rc.Reason
		if code == "" {
			code = rc.State
		}
		f.Reasons = append(f.Reasons, views.ReportReason{State: rc.State, Reason: code, N: rc.N,
			Label: reasonWords(ctx, "report.reason.", code), Advice: reasonWords(ctx, "report.advice.", code)})
	}
	tl, err := s.reportTimeline(ctx, b)
	if err != nil {
		return f, err
	}
	f.Timeline = tl
	return f, nil
}

// reasonWords is a reason's label or advice, or the unknown one's.
func reasonWords(ctx context.Context, prefix, code string) string {
	if t := i18n.T(ctx, prefix+code); t != prefix+code {
		return t
	}
	return i18n.T(ctx, prefix+"unknown")
}

// pauseWords says why omnicast paused a broadcast by itself.
func pauseWords(ctx context.Context, reason string) string {
	if t := i18n.T(ctx, "dispatch.pause."+reason); t != "dispatch.pause."+reason {
		return t
	}
	return i18n.T(ctx, "dispatch.pause.unknown") + " (" + reason + ")"
}

// reportAudit is the broadcast's audit trail in words, newest first.
func (s *Server) reportAudit(id uint) ([]views.ReportAuditEntry, error) {
	entries, err := models.ListAudit(s.db, id)
	if err != nil {
		return nil, err
	}
	var ids []uint
	for _, e := range entries {
		if e.UserID != nil && !slices.Contains(ids, *e.UserID) {
			ids = append(ids, *e.UserID)
		}
	}
	names, err := models.UserNames(s.db, ids)
	if err != nil {
		return nil, err
	}
	loc := s.Workspace().Location()
	out := make([]views.ReportAuditEntry, 0, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		who := "omnicast"
		switch {
		case e.UserID != nil:
			who = names[*e.UserID]
		case e.TokenID != nil:
			who = "API"
		}
		out = append(out, views.ReportAuditEntry{When: e.At.In(loc).Format("2006-01-02 15:04:05"), Who: who, Action: e.Action,
			Changes: models.AuditChangeLines(e.Diff)})
	}
	return out, nil
}

// clickBase is what clicks are a share of: the delivered people, or on
// LINE (no delivery receipts) the accepted ones.
func clickBase(r *models.BroadcastListRow) int64 {
	if r.ChannelKind == channels.KindLINE {
		return r.SentCount
	}
	return r.DeliveredCount
}
