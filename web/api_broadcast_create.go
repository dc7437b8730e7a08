package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/jobs"
	"omnicast/models"
)

// apiBroadcastCreate is POST /api/v1/broadcasts: the composer's rules and
// policy for API clients (the reference product's "API" sending method).
// The draft is validated as the composer's confirmation validates it —
// so promotional content under a message tag is refused and locks the
// channel's tagged broadcasting — then saved, confirmed, and its
// audience frozen in the background; 201 answers the broadcast with the
// figures it was confirmed on. With "dry_run": true the same checks and
// figures answer 200 and nothing is created or locked.
func (s *Server) apiBroadcastCreate(c echo.Context) error {
	in, d, errs, err := bindAPIBroadcast(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return apiComposeErrors(c, errs)
	}
	env := s.validateEnv(!in.DryRun)
	if _, errs := models.ValidateDraft(s.db, d, env); len(errs) > 0 {
		if err := composeFailure(errs); err != nil {
			return err
		}
		return apiComposeErrors(c, errs)
	}
	ctx := c.Request().Context()
	figures, err := models.ConfirmationFigures(s.reads, d, env.Now, s.quotaFunc(ctx))
	var derrs models.DraftErrors
	if errors.As(err, &derrs) {
		return apiComposeErrors(c, derrs)
	}
	if err != nil {
		return err
	}
	if in.DryRun {
		return c.JSON(http.StatusOK, map[string]any{"dry_run": true, "figures": figures})
	}
	who := apiActor(c)
	b, err := models.SaveDraft(s.db, d, 0, 0, who, models.MethodAPI, env.Now)
	if errors.As(err, &derrs) {
		return apiComposeErrors(c, derrs)
	}
	if err != nil {
		return err
	}
	confirmed, errs, err := models.ConfirmBroadcast(s.db, b.ID, b.Version, who, env)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		// Something changed between the two checks (a template, a lock):
		// the broadcast stays a draft.
		return apiComposeErrors(c, errs)
	}
	s.wake(jobs.WorkerFreeze)
	out, err := apiBroadcastOf(confirmed, figures)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}
