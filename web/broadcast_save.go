package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/models"
)

// broadcastCreate is the composer's form for a new broadcast (POST
// /broadcasts), broadcastUpdate for a saved one (POST /broadcasts/:id).
// Both go through saveComposer.
func (s *Server) broadcastCreate(c echo.Context) error {
	in := readComposer(c.Request().Form)
	a, ch, err := s.audienceChannel(in.AudienceID)
	if err != nil {
		return err
	}
	if ch.Kind == channels.KindInstagram {
		return echo.ErrNotFound
	}
	in.AudienceID = a.ID
	return s.saveComposer(c, composerState{ch: ch, in: in})
}

func (s *Server) broadcastUpdate(c echo.Context) error {
	b, ch, err := s.loadBroadcast(c)
	if err != nil {
		return err
	}
	if !models.CanControl(b, currentUser(c)) {
		return echo.ErrForbidden
	}
	in := readComposer(c.Request().Form)
	// The audience stays the one the broadcast was composed for.
	in.AudienceID = 0
	if b.AudienceID != nil {
		in.AudienceID = *b.AudienceID
	}
	return s.saveComposer(c, composerState{ch: ch, b: b, in: in})
}

// saveComposer handles the composer's buttons. Structural ones (add,
// remove, move) change the list and re-render without saving. 儲存草稿
// saves the draft; 下一步 saves it, validates it and goes to the
// confirmation, or shows the errors beside their fields; 發送測試訊息
// saves and sends to the testers. Whatever is refused, everything typed
// is rendered again, and a refused 下一步 still saved the draft.
func (s *Server) saveComposer(c echo.Context, st composerState) error {
	var err error
	if st.ch.Kind == channels.KindWhatsApp {
		if st.templates, err = models.ListWATemplates(s.db, st.ch.ID); err != nil {
			return err
		}
	}
	if st.in.applyOp() {
		return s.renderComposer(c, http.StatusOK, st)
	}
	now, loc := s.now(), s.Workspace().Location()
	d := st.in.draft(st.ch, st.templates, loc)
	if st.b != nil {
		stored, err := models.DraftOf(st.b)
		if err != nil {
			return err
		}
		d = d.WithAudienceOf(stored)
	}
	id, version := uint(0), 0
	if st.b != nil {
		id, version = st.b.ID, st.in.Version
	}
	scheduled := st.b != nil && st.b.Status == models.BroadcastScheduled
	if scheduled {
		// A scheduled broadcast is sent as saved: it is checked as a
		// confirmation would check it before anything is stored, and a
		// refused edit keeps the saved version and everything typed.
		checked, errs := models.ValidateDraft(s.db, d, models.ValidateEnv{Now: now, PublicURL: s.Workspace().PublicURL})
		if len(errs) > 0 {
			if err := composeFailure(errs); err != nil {
				return err
			}
			st.errs, st.checked = errs, &checked
			return s.renderComposer(c, http.StatusUnprocessableEntity, st)
		}
	}
	b, err := models.SaveDraft(s.db, d, id, version, actorOf(c), models.MethodManual, now)
	var derrs models.DraftErrors
	switch {
	case errors.Is(err, models.ErrBroadcastStale):
		st.notice = t(c, "compose.stale")
		return s.renderComposer(c, http.StatusConflict, st)
	case errors.Is(err, models.ErrBroadcastForbidden):
		return echo.ErrForbidden
	case errors.Is(err, models.ErrBroadcastStarted), errors.Is(err, models.ErrBroadcastState):
		s.flash(c, "error", err.Error())
		return redirect(c, "/broadcasts/"+strconv.FormatUint(uint64(id), 10))
	case errors.As(err, &derrs):
		st.errs = derrs
		return s.renderComposer(c, http.StatusUnprocessableEntity, st)
	case err != nil:
		return err
	}
	st.b, st.in.Version = b, b.Version
	href := "/broadcasts/" + strconv.FormatUint(uint64(b.ID), 10)
	if scheduled {
		s.reschedule(b)
		if st.in.Op == "test" {
			return s.testSend(c, st, d)
		}
		// Saved as it will be sent: back to its page, which shows it.
		s.flash(c, "success", "compose.saved_scheduled")
		return redirect(c, href)
	}
	href = "/broadcasts/" + strconv.FormatUint(uint64(b.ID), 10)
	switch st.in.Op {
	case "next":
		checked, errs := models.ValidateDraft(s.db, d, models.ValidateEnv{Now: now, PublicURL: s.Workspace().PublicURL})
		if len(errs) > 0 && !onlyPromotional(errs) {
			st.errs, st.checked = errs, &checked
			c.Response().Header().Set("HX-Push-Url", href+"/edit")
			return s.renderComposer(c, http.StatusUnprocessableEntity, st)
		}
		return redirect(c, href+"/confirm")
	case "test":
		return s.testSend(c, st, d)
	}
	s.flash(c, "success", "compose.saved")
	return redirect(c, href+"/edit")
}

// codePromotional is ValidateDraft's code for promotional content under
// a message tag (compose.error.promotional_content).
const codePromotional = "promotional_content"

// onlyPromotional tells whether the one thing wrong is promotional
// content under a message tag. Staff may still go on to the confirmation,
// which warns that confirming is refused and locks the Page's tagged
// broadcasts, as the reference product does: the rule is the platform's,
// and the lock is what protects the Page.
func onlyPromotional(errs []models.FieldError) bool {
	for _, e := range errs {
		if e.Code != codePromotional {
			return false
		}
	}
	return len(errs) > 0
}

// broadcastCompose answers the composer's htmx requests without saving:
// a structural button (the message list comes back) or a change of any
// input (the live preview comes back).
func (s *Server) broadcastCompose(c echo.Context) error {
	in := readComposer(c.Request().Form)
	_, ch, err := s.audienceChannel(in.AudienceID)
	if err != nil {
		return err
	}
	st := composerState{ch: ch, in: in}
	if id, ok := parseID(c.Request().Form.Get("id")); ok {
		if b, err := models.FindBroadcast(s.db, id); err == nil && b.ChannelID == ch.ID {
			st.b = b
		}
	}
	if ch.Kind == channels.KindWhatsApp {
		if st.templates, err = models.ListWATemplates(s.db, ch.ID); err != nil {
			return err
		}
	}
	st.in.applyOp()
	// Resolve the content (bot cards, images) for the preview; its errors
	// are shown only when staff press 下一步.
	d := st.in.draft(ch, st.templates, s.Workspace().Location())
	checked, _ := models.ValidateDraft(s.db, d, models.ValidateEnv{Now: s.now(), PublicURL: s.Workspace().PublicURL})
	st.checked = &checked
	return s.renderComposer(c, http.StatusOK, st)
}

// reschedule moves the trigger of a scheduled broadcast to its (possibly
// edited) time at once, rather than at the scheduler's next sync.
func (s *Server) reschedule(b *models.Broadcast) {
	if s.jobs == nil || b.Status != models.BroadcastScheduled || b.ScheduledAt == nil {
		return
	}
	if err := s.jobs.Schedule(b.ID, *b.ScheduledAt); err != nil {
		s.log.Warn("reschedule an edited broadcast", "broadcast", b.ID, "err", err)
	}
}
