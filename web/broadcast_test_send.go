package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/channels/connect"
	"omnicast/channels/line"
	"omnicast/models"
	"omnicast/views"
)

// testSendTimeout bounds one test send (all testers) so the button never hangs.
const testSendTimeout = 20 * time.Second

// errNothingToTest: the draft has no content the platform could take.
var errNothingToTest = errors.New("compose.test_nothing")

// testSend sends the saved draft to the channel's testers (at most 5) at
// once, through the channel's client, and shows each result beside the
// button. Nothing is written to deliveries or counters: a test never
// counts in the broadcast's statistics.
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
		if err := s.sendTest(ctx, st.ch, secrets, d, checked.Content, ct); err != nil {
			res.OK, res.Error = false, t(c, err.Error())
			s.log.Info("test send failed", "broadcast", st.b.ID, "contact", ct.ID, "err", err)
		}
		st.tests = append(st.tests, res)
	}
	return s.renderComposer(c, http.StatusOK, st)
}

// sendTest sends the content to one tester through the channel's Sender
// (built by channels/connect, WhatsApp templates read from the database);
// the error says why it failed (the platform's own text, or a catalogue
// id). LINE gets a fresh retry key: a test is never retried.
func (s *Server) sendTest(ctx context.Context, ch *models.Channel, sec models.ChannelSecrets, d models.Draft, content channels.Content, ct models.Contact) error {
	if len(content.Parts) == 0 && content.Template == nil {
		return errNothingToTest
	}
	clients, err := connect.Client(ch.ConnectWith(sec, s.db), s.platforms.http)
	if err != nil || clients.Sender == nil {
		return errNothingToTest
	}
	return sendError(clients.Sender.Send(ctx, channels.Outgoing{
		To: ct.ExternalID, Name: ct.Name, Content: content, MessageTag: d.MessageTag, Key: line.NewRetryKey(),
	}))
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
		msg = "compose.test_failed"
	}
	return errors.New(msg)
}
