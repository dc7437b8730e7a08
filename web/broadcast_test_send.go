package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/channels/line"
	"omnicast/channels/messenger"
	"omnicast/channels/whatsapp"
	"omnicast/models"
	"omnicast/views"
)

// testSendTimeout bounds one test send (all testers) so the button never hangs.
const testSendTimeout = 20 * time.Second

// testFailure is why one tester did not get the test: a catalogue id
// (ID) or the platform's own words (Detail).
type testFailure struct {
	ID     string
	Detail string
}

func (f *testFailure) Error() string {
	if f.Detail != "" {
		return f.Detail
	}
	return f.ID
}

// failed is a testFailure worded by the catalogue.
func failed(id string) error { return &testFailure{ID: id} }

// testSend sends the saved draft to the channel's testers (at most
// models.MaxTestSend) at once, through the channel's client and the
// renderers the real send uses, and shows each result beside the button.
// Nothing is written to deliveries, counters or taps: the draft's id is
// not in the tap payloads (broadcast 0), so a tester's tap never counts.
func (s *Server) testSend(c echo.Context, st composerState, d models.Draft) error {
	testers, err := models.ListTesters(s.db, st.ch.ID, models.MaxTestSend)
	if err != nil {
		return err
	}
	if len(testers) == 0 {
		st.notice = t(c, "compose.test_none")
		return s.renderComposer(c, http.StatusUnprocessableEntity, st)
	}
	checked, errs := models.ValidateDraft(s.db, d, models.ValidateEnv{Now: s.now(), PublicURL: s.Workspace().PublicURL})
	if len(errs) > 0 {
		st.errs, st.checked = errs, &checked
		return s.renderComposer(c, http.StatusUnprocessableEntity, st)
	}
	secrets, err := st.ch.Secrets(s.sealer)
	if err != nil {
		st.notice = t(c, "error.channel_credentials")
		return s.renderComposer(c, http.StatusOK, st)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), testSendTimeout)
	defer cancel()
	for _, ct := range testers {
		res := views.TestResult{Name: ct.Name, OK: true}
		err := s.sendTest(ctx, st.ch, secrets, d, checked, ct)
		if err != nil {
			res.OK, res.Error = false, testErrorText(c, err)
			s.log.Info("test send failed", "broadcast", st.b.ID, "contact", ct.ID, "err", err)
		}
		st.tests = append(st.tests, res)
	}
	return s.renderComposer(c, http.StatusOK, st)
}

// testErrorText words why a test did not go.
func testErrorText(c echo.Context, err error) string {
	var f *testFailure
	switch {
	case errors.As(err, &f) && f.Detail != "":
		return f.Detail
	case errors.As(err, &f):
		return t(c, f.ID)
	case errors.Is(err, whatsapp.ErrEmptyName):
		return t(c, "compose.test_no_name")
	}
	return t(c, "compose.test_failed")
}

// sendTest sends the checked content to one tester.
func (s *Server) sendTest(ctx context.Context, ch *models.Channel, sec models.ChannelSecrets, d models.Draft, checked models.Checked, ct models.Contact) error {
	if !ct.Subscribed {
		return failed("compose.test_unsubscribed")
	}
	hc := s.platforms.http
	content := checked.Content
	switch ch.Kind {
	case channels.KindLINE:
		msgs, err := line.Render(content, ct.Name, nil)
		if err != nil {
			return err
		}
		cl := line.New(line.Config{BaseURL: ch.APIBaseURL, ChannelAccessToken: sec.AccessToken, HTTPClient: hc})
		return sendError(cl.Push(ctx, ct.ExternalID, msgs, line.NewRetryKey()))
	case channels.KindMessenger:
		msgs, err := messenger.Render(content, ct.Name, nil)
		if err != nil {
			return err
		}
		cl := messenger.New(messenger.Config{BaseURL: ch.APIBaseURL, PageID: ch.ExternalID, PageAccessToken: sec.AccessToken, HTTPClient: hc})
		opts := messenger.SendOptions{Tag: messengerTag(d.MessageTag)}
		for _, m := range msgs {
			if err := sendError(cl.Send(ctx, ct.ExternalID, m, opts)); err != nil {
				return err
			}
		}
		return nil
	case channels.KindWhatsApp:
		if content.Template == nil || checked.Template == nil {
			return failed("compose.test_nothing")
		}
		tpl, err := models.ParseWATemplate(*checked.Template)
		if err != nil {
			return err
		}
		msg, err := whatsapp.RenderTemplate(*tpl, *content.Template, ct.Name, testTemplateTap(*content.Template))
		if err != nil {
			return err
		}
		msg.To = ct.ExternalID
		cl := whatsapp.New(whatsapp.Config{BaseURL: ch.APIBaseURL, PhoneNumberID: ch.ExternalID, WABAID: ch.WABAID, AccessToken: sec.AccessToken, HTTPClient: hc})
		return sendError(cl.SendTemplate(ctx, &msg))
	}
	return failed("compose.test_nothing")
}

// testTemplateTap gives each quick-reply button with an action the
// payload the real send gives it, under broadcast 0: the tester's tap
// runs the action (a bot module, subscribe, unsubscribe) and is never
// counted for the broadcast.
func testTemplateTap(fill channels.TemplateFill) func(button int) string {
	return func(button int) string {
		if button >= len(fill.Buttons) {
			return ""
		}
		a := fill.Buttons[button]
		if a.Action == "" || a.Action == channels.ActionNone {
			return ""
		}
		return channels.EncodeTap(channels.TapPayload{ModuleID: a.ModuleID, Button: button, Action: a.Action})
	}
}

// messengerTag is the Send API tag of a broadcast's message tag.
func messengerTag(tag string) string {
	switch tag {
	case models.TagEventUpdate:
		return messenger.TagConfirmedEventUpdate
	case models.TagPostPurchase:
		return messenger.TagPostPurchaseUpdate
	case models.TagAccountUpdate:
		return messenger.TagAccountUpdate
	}
	return ""
}

// sendError is nil for a sent message, else the platform's reason.
func sendError(r channels.SendResult) error {
	if r.Outcome == channels.Sent {
		return nil
	}
	msg := strings.TrimSpace(r.Detail)
	if msg == "" {
		msg = r.Reason
	}
	if msg == "" {
		return failed("compose.test_failed")
	}
	return &testFailure{Detail: msg}
}
