package web

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
	"omnicast/views/i18n"
)

// cohortSpecOf reads the cohort form's value: a cohort name, or
// "button:<module>:<button>" for the people who tapped that button.
func cohortSpecOf(v string) (models.CohortSpec, bool) {
	if rest, ok := strings.CutPrefix(v, "button:"); ok {
		mod, btn, ok := strings.Cut(rest, ":")
		m, err1 := strconv.ParseUint(mod, 10, 32)
		b, err2 := strconv.Atoi(btn)
		if !ok || err1 != nil || err2 != nil || b < 0 {
			return models.CohortSpec{}, false
		}
		return models.CohortSpec{Cohort: models.CohortClicked, Module: uint(m), Button: &b}, true
	}
	for _, c := range models.Cohorts() {
		if c == v {
			return models.CohortSpec{Cohort: v}, true
		}
	}
	return models.CohortSpec{}, false
}

// reportCohorts lists the cohort form's choices: the four cohorts and
// each button that was tapped, named by its label as sent when known.
func (s *Server) reportCohorts(ctx context.Context, b *models.Broadcast) ([]views.ReportCohort, error) {
	var out []views.ReportCohort
	for _, c := range models.Cohorts() {
		out = append(out, views.ReportCohort{Value: c, Label: i18n.T(ctx, "recipients.cohort."+c)})
	}
	taps, err := models.CountTaps(s.db, b.ID)
	if err != nil || len(taps) == 0 {
		return out, err
	}
	buttons, err := models.SentButtons(s.db, b)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{}
	for _, bc := range buttons {
		labels[bc.Key] = bc.Label
	}
	// A tapped button not known by its label (not among those sent) is
	// named by its module and number.
	var unnamed []uint
	for _, t := range taps {
		if labels[fmt.Sprintf("%d:%d", t.ModuleID, t.Button)] == "" {
			unnamed = append(unnamed, t.ModuleID)
		}
	}
	names, err := models.ModuleNames(s.db, unnamed)
	if err != nil {
		return nil, err
	}
	for _, t := range taps {
		key := fmt.Sprintf("%d:%d", t.ModuleID, t.Button)
		label := i18n.T(ctx, "recipients.cohort.button_label", "Label", labels[key], "People", views.Grouped(t.People))
		if labels[key] == "" {
			label = i18n.T(ctx, "recipients.cohort.button", "Module", names[t.ModuleID], "Button", t.Button+1, "People", views.Grouped(t.People))
		}
		out = append(out, views.ReportCohort{Value: "button:" + key, Label: label})
	}
	return out, nil
}

// broadcastCohort handles POST /broadcasts/:id/cohort: the chosen cohort
// is saved as an audience (explicit people, exact count) and the composer
// opens for it.
func (s *Server) broadcastCohort(c echo.Context) error {
	b, err := s.actedOnBroadcast(c)
	if err != nil {
		return err
	}
	spec, ok := cohortSpecOf(c.FormValue("cohort"))
	if !ok {
		return echo.ErrBadRequest
	}
	a, err := models.SaveCohortAudience(s.db, b, spec, currentUser(c).ID, s.now())
	return s.toComposer(c, b.ID, a, err)
}

// broadcastSendAgain handles POST /broadcasts/:id/send-again (使用此條件
// 推播): the stored conditions run again today, then the composer.
func (s *Server) broadcastSendAgain(c echo.Context) error {
	b, err := s.actedOnBroadcast(c)
	if err != nil {
		return err
	}
	a, err := models.SaveSendAgainAudience(s.db, b, s.Workspace().Location(), currentUser(c).ID, s.now())
	return s.toComposer(c, b.ID, a, err)
}

// broadcastDuplicate handles POST /broadcasts/:id/duplicate: a new draft
// with the same content, opened in the composer.
func (s *Server) broadcastDuplicate(c echo.Context) error {
	b, err := s.actedOnBroadcast(c)
	if err != nil {
		return err
	}
	d, err := models.DuplicateBroadcast(s.db, b, actorOf(c), s.now())
	if err != nil {
		return err
	}
	s.flash(c, "info", "recipients.duplicated")
	return redirect(c, "/broadcasts/"+strconv.FormatUint(uint64(d.ID), 10)+"/edit")
}

func (s *Server) actedOnBroadcast(c echo.Context) (*models.Broadcast, error) {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return nil, echo.ErrNotFound
	}
	b, err := models.FindBroadcast(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, echo.ErrNotFound
	}
	return b, err
}

// toComposer opens the composer for a saved audience, or says the cohort
// is empty back on the broadcast's page.
func (s *Server) toComposer(c echo.Context, id uint, a *models.Audience, err error) error {
	if errors.Is(err, models.ErrAudienceEmpty) {
		s.flash(c, "error", "recipients.cohort_empty")
		return redirect(c, "/broadcasts/"+strconv.FormatUint(uint64(id), 10))
	}
	if err != nil {
		return err
	}
	return redirect(c, "/broadcasts/new?audience="+strconv.FormatUint(uint64(a.ID), 10))
}

// reportActions builds the page's buttons acting on the results.
func (s *Server) reportActions(c echo.Context, b *models.Broadcast, path string) (views.ReportActions, error) {
	var a views.ReportActions
	if b.Status == models.BroadcastDraft || b.Status == models.BroadcastPreparing {
		return a, nil
	}
	a.DuplicateHref = path + "/duplicate"
	if b.Status == models.BroadcastScheduled || b.Status == models.BroadcastMissed || b.Status == models.BroadcastCancelled && b.StartedAt == nil {
		return a, nil
	}
	a.SendAgainHref = path + "/send-again"
	a.CohortHref = path + "/cohort"
	var err error
	if a.Cohorts, err = s.reportCohorts(c.Request().Context(), b); err != nil {
		return a, err
	}
	if models.CanControl(b, currentUser(c)) && b.Status != models.BroadcastCancelled {
		if a.Uncertain, a.Retryable, err = models.RetryCounts(s.db, b.ID); err != nil {
			return a, err
		}
		if a.Retryable > 0 {
			a.RetryHref = path + "/retry-failed"
		}
		if a.Uncertain > 0 {
			a.ResendHref = path + "/resend-uncertain"
		}
	}
	return a, nil
}
