package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// broadcastActions are the staff actions on a sending broadcast: pause, resume or cancel. The form
// and the API call the same models function, so they cannot disagree on
// who may do what, or when.
var broadcastActions = map[string]struct {
	do   func(s *Server, id uint, u *models.User, who models.Actor) (*models.Broadcast, error)
	done string // flash message id
}{
	"pause": {func(s *Server, id uint, u *models.User, who models.Actor) (*models.Broadcast, error) {
		return models.PauseBroadcast(s.db, id, u, who, s.now())
	}, "dispatch.paused_done"},
	"resume": {func(s *Server, id uint, u *models.User, who models.Actor) (*models.Broadcast, error) {
		return models.ResumeBroadcast(s.db, id, u, who, s.now())
	}, "dispatch.resumed_done"},
	"cancel": {func(s *Server, id uint, u *models.User, who models.Actor) (*models.Broadcast, error) {
		return models.CancelBroadcast(s.db, id, u, who, s.now())
	}, "dispatch.cancelled_done"},
}

// afterBroadcastAction tells the background work: a resume wakes the
// dispatcher, a cancel drops the broadcast's trigger.
func (s *Server) afterBroadcastAction(action string, id uint) {
	if s.jobs == nil {
		return
	}
	switch action {
	case "resume":
		s.jobs.Wake("dispatch")
	case "cancel":
		s.jobs.Unschedule(id)
	}
}

// broadcastControl handles POST /broadcasts/:id/pause|resume|cancel from
// the pages: a flash and back to where the button was.
func (s *Server) broadcastControl(action string) echo.HandlerFunc {
	act := broadcastActions[action]
	return func(c echo.Context) error {
		id, ok := parseID(c.Param("id"))
		if !ok {
			return echo.ErrNotFound
		}
		_, err := act.do(s, id, currentUser(c), models.Actor{UserID: currentUser(c).ID})
		switch {
		case errors.Is(err, models.ErrNotFound):
			return echo.ErrNotFound
		case errors.Is(err, models.ErrBroadcastForbidden):
			return echo.ErrForbidden
		case errors.Is(err, models.ErrBroadcastState):
			s.flash(c, "error", "dispatch.error.state")
		case err != nil:
			return err
		default:
			s.afterBroadcastAction(action, id)
			s.flash(c, "info", act.done)
		}
		return redirect(c, broadcastBackURL(c, id))
	}
}

// broadcastBackURL is the page the action came from when it is ours, else
// the broadcast's page.
func broadcastBackURL(c echo.Context, id uint) string {
	if back := c.FormValue("back"); len(back) > 1 && back[0] == '/' && back[1] != '/' && back[1] != '\\' {
		return back
	}
	return "/broadcasts/" + strconv.FormatUint(uint64(id), 10)
}

// apiBroadcastControl handles POST /api/v1/broadcasts/:id/pause|resume|
// cancel: the broadcast's status as GET answers it, or a JSON error.
func (s *Server) apiBroadcastControl(action string) echo.HandlerFunc {
	act := broadcastActions[action]
	return func(c echo.Context) error {
		id, ok := parseID(c.Param("id"))
		if !ok {
			return apiError(c, http.StatusNotFound, "not_found", "", "api.error.not_found", nil)
		}
		b, err := act.do(s, id, apiUser(c), apiActor(c))
		switch {
		case errors.Is(err, models.ErrNotFound):
			return apiError(c, http.StatusNotFound, "not_found", "", "api.error.not_found", nil)
		case errors.Is(err, models.ErrBroadcastForbidden):
			return apiError(c, http.StatusForbidden, "broadcast_forbidden", "", "dispatch.error.forbidden", nil)
		case errors.Is(err, models.ErrBroadcastState):
			cur, ferr := models.FindBroadcast(s.db, id)
			if ferr != nil {
				return ferr
			}
			return apiError(c, http.StatusConflict, "broadcast_state", "status", "dispatch.error.state_api",
				map[string]any{"Action": action, "Status": cur.Status})
		case err != nil:
			return err
		}
		s.afterBroadcastAction(action, id)
		return c.JSON(http.StatusOK, broadcastStatusJSON(b))
	}
}

// apiBroadcastStatus handles GET /api/v1/broadcasts/:id/status: where
// sending stands, from the maintained counters (no row is counted).
func (s *Server) apiBroadcastStatus(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return apiError(c, http.StatusNotFound, "not_found", "", "api.error.not_found", nil)
	}
	b, err := models.FindBroadcast(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return apiError(c, http.StatusNotFound, "not_found", "", "api.error.not_found", nil)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, broadcastStatusJSON(b))
}

// broadcastStatusJSON is the sending status of a broadcast, as the status
// API answers it (and as GET /api/v1/broadcasts/:id embeds it).
func broadcastStatusJSON(b *models.Broadcast) map[string]any {
	out := map[string]any{
		"id": b.ID, "status": b.Status, "counts": b.Counts(),
		"started_at": b.StartedAt, "finished_at": b.FinishedAt,
	}
	if b.PauseReason != "" {
		out["pause_reason"] = b.PauseReason
	}
	return out
}
