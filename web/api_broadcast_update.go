package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// apiBroadcastPatch is the body of PATCH /api/v1/broadcasts/:id: the
// version the client read, and the fields to change (POST's names; an
// absent field keeps its value). The audience of a confirmed broadcast is
// frozen, so it is not among them.
type apiBroadcastPatch struct {
	Version     *int                  `json:"version"`
	Subject     *string               `json:"subject"`
	MessageTag  *string               `json:"message_tag"`
	ScheduledAt *string               `json:"scheduled_at"`
	ApplyTags   *[]string             `json:"apply_tags"`
	Messages    *[]models.MessageSpec `json:"messages"`
	Template    *models.TemplateSpec  `json:"template"`
}

// apply lays the changed fields over the stored draft. A scheduled_at
// that is not RFC 3339 is a field error.
func (p apiBroadcastPatch) apply(d models.Draft) (models.Draft, []models.FieldError) {
	if p.Subject != nil {
		d.Subject = *p.Subject
	}
	if p.MessageTag != nil {
		d.MessageTag = *p.MessageTag
	}
	if p.ApplyTags != nil {
		d.ApplyTags = *p.ApplyTags
	}
	if p.Messages != nil {
		d.Content.Messages = *p.Messages
	}
	if p.Template != nil {
		d.Content.Template = p.Template
	}
	if p.ScheduledAt != nil {
		at, err := time.Parse(time.RFC3339, strings.TrimSpace(*p.ScheduledAt))
		if err != nil {
			return d, []models.FieldError{{Field: "scheduled_at", Code: "scheduled_at_invalid"}}
		}
		at = at.UTC()
		d.SendNow, d.ScheduledAt = false, &at
	}
	return d, nil
}

// apiBroadcastUpdate is PATCH /api/v1/broadcasts/:id: the composer's edit
// for API clients, with the same optimistic lock. 403 when the token's
// owner is neither the creator nor an admin; 409 broadcast_stale when
// another edit was saved since version; 409 broadcast_started (or
// broadcast_state) once it can no longer change; 422 with the composer's
// field errors (the result is validated as a confirmation would be: a
// scheduled broadcast is sent as saved). 200 answers the broadcast as GET
// does, with its new version.
func (s *Server) apiBroadcastUpdate(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return apiError(c, http.StatusNotFound, "not_found", "id", "api.error.not_found", nil)
	}
	var in apiBroadcastPatch
	if err := apiBind(c, &in); err != nil {
		return err
	}
	b, err := models.FindBroadcast(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return apiError(c, http.StatusNotFound, "not_found", "id", "api.error.not_found", nil)
	}
	if err != nil {
		return err
	}
	if !models.CanControl(b, apiUser(c)) {
		return apiError(c, http.StatusForbidden, "broadcast_forbidden", "", "api.error.broadcast_forbidden", nil)
	}
	if !b.Editable() {
		return apiEditRefused(c, b)
	}
	if in.Version == nil {
		return apiComposeErrors(c, []models.FieldError{{Field: "version", Code: "version_required"}})
	}
	stored, err := models.DraftOf(b)
	if err != nil {
		return err
	}
	d, errs := in.apply(stored)
	if len(errs) > 0 {
		return apiComposeErrors(c, errs)
	}
	now := s.now()
	if _, errs := models.ValidateDraft(s.db, d, s.validateEnv(false)); len(errs) > 0 {
		if err := composeFailure(errs); err != nil {
			return err
		}
		return apiComposeErrors(c, errs)
	}
	saved, err := models.SaveDraft(s.db, d, id, *in.Version, apiActor(c), models.MethodAPI, now)
	var derrs models.DraftErrors
	switch {
	case errors.Is(err, models.ErrBroadcastStale):
		return apiError(c, http.StatusConflict, "broadcast_stale", "version", "api.error.broadcast_stale", map[string]any{"Version": *in.Version})
	case errors.Is(err, models.ErrBroadcastForbidden):
		return apiError(c, http.StatusForbidden, "broadcast_forbidden", "", "api.error.broadcast_forbidden", nil)
	case errors.Is(err, models.ErrBroadcastStarted), errors.Is(err, models.ErrBroadcastState):
		if b, err := models.FindBroadcast(s.db, id); err == nil {
			return apiEditRefused(c, b)
		}
		return apiError(c, http.StatusConflict, "broadcast_started", "", "api.error.broadcast_started", nil)
	case errors.As(err, &derrs):
		return apiComposeErrors(c, derrs)
	case err != nil:
		return err
	}
	s.reschedule(saved)
	figures, err := models.BroadcastFigures(s.reads, saved, now, s.quotaFunc(c.Request().Context()))
	if err != nil && !errors.As(err, new(models.DraftErrors)) {
		return err
	}
	out, err := apiBroadcastOf(saved, figures)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// apiEditRefused answers 409 for a broadcast that can no longer change:
// broadcast_started once sending started, broadcast_state when it was
// cancelled or is being prepared.
func apiEditRefused(c echo.Context, b *models.Broadcast) error {
	if b.Status == models.BroadcastCancelled || b.Status == models.BroadcastPreparing {
		return apiError(c, http.StatusConflict, "broadcast_state", "", "api.error.broadcast_state", nil)
	}
	return apiError(c, http.StatusConflict, "broadcast_started", "", "api.error.broadcast_started", nil)
}
