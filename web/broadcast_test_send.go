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

// errNothingToTest: the draft has no content the platform could take.
var errNothingToTest = errors.New("compose.test_nothing")

// testSend sends the saved draft to the channel's testers (at most 5) at
// once, through the channel's client, and shows each result beside the
// button. Nothing is written to deliveries or counters: a test never
// counts in the broadcast's statistics.
func (s *Server) testSend(c echo.Context, st composerState, d models.Draft) error {
	testers, err := s.testers(st.ch.ID)
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

// sendTest sends the content to one tester; the error says why it failed
// (the platform's own text, or a catalogue id).
func (s *Server) sendTest(ctx context.Context, ch *models.Channel, sec models.ChannelSecrets, d models.Draft, content channels.Content, ct models.Contact) error {
	hc := s.platforms.http
	switch ch.Kind {
	case channels.KindLINE:
		msgs, err := lineTestMessages(content, ct.Name)
		if err != nil {
			return err
		}
		cl := line.New(line.Config{BaseURL: ch.APIBaseURL, ChannelAccessToken: sec.AccessToken, HTTPClient: hc})
		return sendError(cl.Push(ctx, ct.ExternalID, msgs, line.NewRetryKey()))
	case channels.KindMessenger:
		msgs, err := messengerTestMessages(content, ct.Name)
		if err != nil {
			return err
		}
		cl := messenger.New(messenger.Config{BaseURL: ch.APIBaseURL, PageID: ch.ExternalID, PageAccessToken: sec.AccessToken, HTTPClient: hc})
		opts := messenger.SendOptions{Tag: messengerTag(d.MessageTag)}
		for _, m := range msgs {
			if err := sendError(cl.SendMessage(ctx, ct.ExternalID, m, opts)); err != nil {
				return err
			}
		}
		return nil
	case channels.KindWhatsApp:
		tpl := d.Content.Template
		if tpl == nil {
			return errNothingToTest
		}
		msg := whatsapp.NewTemplateMessage(ct.ExternalID, tpl.Name, tpl.Language)
		if len(tpl.HeaderParams) > 0 {
			msg.WithHeaderText(paramValues(tpl.HeaderParams, ct.Name)...)
		}
		if len(tpl.BodyParams) > 0 {
			msg.WithBody(paramValues(tpl.BodyParams, ct.Name)...)
		}
		cl := whatsapp.New(whatsapp.Config{BaseURL: ch.APIBaseURL, PhoneNumberID: ch.ExternalID, WABAID: ch.WABAID, AccessToken: sec.AccessToken, HTTPClient: hc})
		return sendError(cl.SendTemplate(ctx, msg))
	}
	return errNothingToTest
}

// lineTestMessages renders texts and images for LINE.
// TODO(h8-bots): line.Render (bot cards, tap payloads) once on main.
func lineTestMessages(content channels.Content, name string) ([]line.Message, error) {
	var out []line.Message
	for _, p := range content.Parts {
		switch {
		case p.Kind == channels.PartText:
			m, err := line.NewText(channels.FillName(p.Text, name))
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		case p.Kind == channels.PartImage && p.Image != nil:
			m, err := line.NewImage(p.Image.URL, p.Image.PreviewURL)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, errNothingToTest
	}
	return out, nil
}

// messengerTestMessages renders texts and images for Messenger.
// TODO(h8-bots): messenger.Render once on main.
func messengerTestMessages(content channels.Content, name string) ([]messenger.Message, error) {
	var out []messenger.Message
	for _, p := range content.Parts {
		switch {
		case p.Kind == channels.PartText:
			m, err := messenger.Text(channels.FillName(p.Text, name))
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		case p.Kind == channels.PartImage && p.Image != nil:
			m, err := messenger.Image(p.Image.URL)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, errNothingToTest
	}
	return out, nil
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

// paramValues fills template parameters for one person.
func paramValues(params []models.ParamSpec, name string) []string {
	var out []string
	for _, p := range params {
		if p.ContactName {
			out = append(out, name)
		} else {
			out = append(out, p.Text)
		}
	}
	return out
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
