package web

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/views"
)

// broadcastConfirmShow is 下一步: who will get it, who will be skipped and
// why, what it costs (LINE quota), how long it takes; then 立即發送 / 排程
// or back to edit. After confirming, the same page shows the freeze's
// progress.
func (s *Server) broadcastConfirmShow(c echo.Context) error {
	b, ch, err := s.loadBroadcast(c)
	if err != nil {
		return err
	}
	v, err := s.confirmView(c, b, ch, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ConfirmBroadcastPage(s.page(c, "confirm.title", "broadcasts"), v))
}

// broadcastConfirm confirms the draft on the version the page showed: the
// rules run again (Confirming), and the audience is frozen in the
// background; the page then polls the progress.
func (s *Server) broadcastConfirm(c echo.Context) error {
	b, ch, err := s.loadBroadcast(c)
	if err != nil {
		return err
	}
	if !models.CanControl(b, currentUser(c)) {
		return echo.ErrForbidden // only its creator or an admin sends it
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	href := "/broadcasts/" + strconv.FormatUint(uint64(b.ID), 10)
	_, errs, err := models.ConfirmBroadcast(s.db, b.ID, version, actorOf(c), models.ValidateEnv{Now: s.now(), PublicURL: s.Workspace().PublicURL})
	switch {
	case errors.Is(err, models.ErrBroadcastStale):
		s.flash(c, "error", "confirm.stale")
		return redirect(c, href+"/confirm")
	case errors.Is(err, models.ErrBroadcastState), errors.Is(err, models.ErrBroadcastStarted):
		s.flash(c, "error", err.Error())
		return redirect(c, href+"/confirm")
	case err != nil:
		return err
	}
	if len(errs) > 0 {
		// Refused (a promotional text under a tag also locks the channel):
		// back to the composer with the reasons beside their fields.
		b, ch, err = s.reloadBroadcast(b.ID)
		if err != nil {
			return err
		}
		in, err := inputFromBroadcast(b, s.Workspace().Location())
		if err != nil {
			return err
		}
		st := composerState{ch: ch, b: b, in: in, errs: errs}
		if ch.Kind == channels.KindWhatsApp {
			if st.templates, err = models.ListWATemplates(s.db, ch.ID); err != nil {
				return err
			}
		}
		c.Response().Header().Set("HX-Push-Url", href+"/edit")
		return s.renderComposer(c, http.StatusUnprocessableEntity, st)
	}
	if s.jobs != nil {
		s.jobs.Wake("freeze")
	}
	s.flash(c, "success", "confirm.done")
	return redirect(c, href+"/confirm")
}

// reloadBroadcast reads a broadcast and its channel again.
func (s *Server) reloadBroadcast(id uint) (*models.Broadcast, *models.Channel, error) {
	b, err := models.FindBroadcast(s.db, id)
	if err != nil {
		return nil, nil, err
	}
	ch, err := models.FindChannel(s.db, b.ChannelID)
	return b, ch, err
}

// broadcastProgress is the freeze's progress fragment, polled by the
// confirmation page while the audience is written into deliveries.
func (s *Server) broadcastProgress(c echo.Context) error {
	b, _, err := s.loadBroadcast(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.FreezeProgress(views.ConfirmPage{ID: b.ID, Status: b.Status, Frozen: b.FrozenCount, Audience: b.AudienceCount,
		DBWaitSince: s.dbWaitSince(b.Status)}))
}

// confirmView builds the confirmation's figures.
func (s *Server) confirmView(c echo.Context, b *models.Broadcast, ch *models.Channel, errs []string) (views.ConfirmPage, error) {
	loc := s.Workspace().Location()
	v := views.ConfirmPage{
		ID: b.ID, Version: b.Version, Kind: ch.Kind, ChannelName: ch.Name, Subject: b.Subject, MessageTag: b.MessageTag, SendNow: b.SendNow,
		EditHref: "/broadcasts/" + strconv.FormatUint(uint64(b.ID), 10) + "/edit", Errors: errs, CSRF: csrfToken(c),
		Status: b.Status, Frozen: b.FrozenCount, DBWaitSince: s.dbWaitSince(b.Status),
	}
	if b.ScheduledAt != nil && !b.SendNow {
		v.When = b.ScheduledAt.In(loc).Format("2006-01-02 15:04") + " (" + loc.String() + ")"
	}
	d, err := models.DraftOf(b)
	if err != nil {
		return v, err
	}
	checked, problems := models.ValidateDraft(s.db, d, models.ValidateEnv{Now: s.now(), PublicURL: s.Workspace().PublicURL})
	if b.Status == models.BroadcastDraft {
		v.PromoWarning = s.promoWarning(c, problems)
	}
	if row := checked.Template; row != nil {
		v.TemplateName, v.TemplateLanguage, v.TemplateCategory = row.Name, row.Language, row.Category
	}
	if v.Preview, err = s.confirmPreview(c, b, ch, d, checked); err != nil {
		return v, err
	}
	v.ShowQuota = ch.Kind == channels.KindLINE
	quota := func(ch *models.Channel) (models.LineQuota, bool) {
		q := s.lineQuota(c.Request().Context(), ch)
		if q == nil || q.Unavailable {
			return models.LineQuota{}, false
		}
		return models.LineQuota{Remaining: max(q.Limit-q.Used, 0), Unlimited: q.Unlimited}, true
	}
	f, err := models.ConfirmationFigures(s.db, d, s.now(), quota)
	if fe, ok := errorsAs[models.DraftErrors](err); ok {
		// The audience or channel cannot be counted: say why, offer edit.
		_, list := s.wordErrors(c, fe)
		v.Errors = append(v.Errors, list...)
		err = nil
	}
	if err != nil {
		return v, err
	}
	v.Audience, v.Sendable, v.Multicast = f.Audience, f.Sendable, f.Multicast
	for reason, n := range f.Skipped {
		v.Skipped = append(v.Skipped, views.SkipCount{Reason: reason, Count: n})
	}
	sort.Slice(v.Skipped, func(i, j int) bool { return v.Skipped[i].Reason < v.Skipped[j].Reason })
	if q := f.LINEQuota; q != nil {
		v.QuotaNeeded, v.QuotaRemain, v.QuotaExceeded = q.Needed, q.Remaining, q.Exceeds
		if q.Unlimited {
			unlimited := int64(-1)
			v.QuotaRemain = &unlimited
		}
	}
	v.Estimated = humanDuration(c, time.Duration(f.EstimatedSeconds)*time.Second)
	return v, nil
}

// promoWarning words the promotional-content refusal the draft would
// meet when confirmed, from its validation errors ("" when none): the composer lets staff come here
// with it, and the page must say what confirming will do.
func (s *Server) promoWarning(c echo.Context, errs []models.FieldError) string {
	for _, e := range errs {
		if e.Code == codePromotional {
			_, list := s.wordErrors(c, []models.FieldError{e})
			return list[0]
		}
	}
	return ""
}

// errorsAs is errors.As for a value type.
func errorsAs[T error](err error) (T, bool) {
	var target T
	ok := errors.As(err, &target)
	return target, ok
}

// humanDuration words an expected sending time ("about 3 minutes").
func humanDuration(c echo.Context, d time.Duration) string {
	switch {
	case d < time.Minute:
		return t(c, "confirm.seconds", "N", int(d.Seconds()))
	case d < time.Hour:
		return t(c, "confirm.minutes", "N", int(d.Round(time.Minute).Minutes()))
	}
	return t(c, "confirm.hours", "H", fmt.Sprintf("%.1f", d.Hours()))
}
