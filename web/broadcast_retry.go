package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// retryKinds maps the routes' actions to the models' kinds.
var retryKinds = map[string]string{"retry-failed": models.RetryFailed, "resend-uncertain": models.RetryUncertain}

// broadcastRetry handles POST /broadcasts/:id/retry-failed|resend-
// uncertain from the page: the rows go back to the queue once (a second
// press finds nothing), the dispatcher is woken, a flash says how many.
func (s *Server) broadcastRetry(action string) echo.HandlerFunc {
	kind := retryKinds[action]
	return func(c echo.Context) error {
		id, ok := parseID(c.Param("id"))
		if !ok {
			return echo.ErrNotFound
		}
		n, err := models.RetryDeliveries(s.db, id, kind, currentUser(c), actorOf(c), s.now())
		switch {
		case errors.Is(err, models.ErrNotFound):
			return echo.ErrNotFound
		case errors.Is(err, models.ErrBroadcastForbidden):
			return echo.ErrForbidden
		case errors.Is(err, models.ErrBroadcastState):
			s.flash(c, "error", "dispatch.error.state")
		case errors.Is(err, models.ErrNothingToRetry):
			s.flash(c, "info", "recipients.nothing_"+kind)
		case err != nil:
			return err
		default:
			s.wakeDispatch()
			s.log.Info("deliveries queued again", "broadcast", id, "kind", kind, "n", n)
			s.flash(c, "info", "recipients.done_"+kind)
		}
		return redirect(c, broadcastBackURL(c, id))
	}
}

func (s *Server) wakeDispatch() {
	if s.jobs != nil {
		s.jobs.Wake("dispatch")
	}
}

// apiBroadcastRetry handles POST /api/v1/broadcasts/:id/retry-failed|
// resend-uncertain: {"queued": n, "status": …} or a JSON error (409
// nothing_to_retry when nothing is left to move).
func (s *Server) apiBroadcastRetry(action string) echo.HandlerFunc {
	kind := retryKinds[action]
	return func(c echo.Context) error {
		id, ok := parseID(c.Param("id"))
		if !ok {
			return apiError(c, http.StatusNotFound, "not_found", "id", "api.error.not_found", nil)
		}
		n, err := models.RetryDeliveries(s.db, id, kind, apiUser(c), apiActor(c), s.now())
		switch {
		case errors.Is(err, models.ErrNotFound):
			return apiError(c, http.StatusNotFound, "not_found", "id", "api.error.not_found", nil)
		case errors.Is(err, models.ErrBroadcastForbidden):
			return apiError(c, http.StatusForbidden, "broadcast_forbidden", "", "dispatch.error.forbidden", nil)
		case errors.Is(err, models.ErrBroadcastState):
			cur, ferr := models.FindBroadcast(s.db, id)
			if ferr != nil {
				return ferr
			}
			return apiError(c, http.StatusConflict, "broadcast_state", "status", "dispatch.error.state_api",
				map[string]any{"Action": action, "Status": cur.Status})
		case errors.Is(err, models.ErrNothingToRetry):
			return apiError(c, http.StatusConflict, "nothing_to_retry", "", "recipients.nothing_"+kind, nil)
		case err != nil:
			return err
		}
		s.wakeDispatch()
		b, err := models.FindBroadcast(s.db, id)
		if err != nil {
			return err
		}
		out := broadcastStatusJSON(b)
		out["queued"] = n
		return c.JSON(http.StatusOK, out)
	}
}
