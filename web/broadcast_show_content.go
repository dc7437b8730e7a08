package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
	"omnicast/views/i18n"
)

// reportConditions says who the broadcast was for: the stored filter in
// words (in the time zone it was saved in), or that the people were
// picked by hand.
func (s *Server) reportConditions(c echo.Context, b *models.Broadcast) []string {
	ctx := c.Request().Context()
	if b.AudienceFilter == "" || !b.AudienceAll {
		return []string{i18n.T(ctx, "report.conditions_picked", "N", b.AudienceCount)}
	}
	loc, err := time.LoadLocation(b.AudienceTimezone)
	if err != nil {
		loc = s.Workspace().Location()
	}
	q, err := url.ParseQuery(b.AudienceFilter)
	if err != nil {
		return nil
	}
	f, errs := models.ParseContactFilter(q, loc)
	if errs != nil {
		return nil
	}
	words := describeFilter(c, f, loc)
	if len(words) == 0 {
		words = []string{i18n.T(ctx, "report.conditions_all")}
	}
	return words
}

// reportMessages lists the messages as composed (what sending read when
// it started: edits are refused after that), bot cards linked to their
// editor, the WhatsApp template with its parameters.
func (s *Server) reportMessages(c echo.Context, b *models.Broadcast) []views.ReportMessage {
	ctx := c.Request().Context()
	d, err := models.DraftOf(b)
	if err != nil {
		return nil
	}
	var out []views.ReportMessage
	for _, m := range d.Content.Messages {
		switch m.Type {
		case models.MessageText:
			out = append(out, views.ReportMessage{Kind: m.Type, Text: m.Text})
		case models.MessageImage:
			text := i18n.T(ctx, "report.message_image")
			if u, err := models.FindUpload(s.db, m.UploadID); err == nil {
				text = fmt.Sprintf("%s %d × %d", text, u.Width, u.Height)
			}
			out = append(out, views.ReportMessage{Kind: m.Type, Text: text})
		case models.MessageBotCard:
			text, href := i18n.T(ctx, "report.message_bot_card", "Name", i18n.T(ctx, "report.button_module_deleted")), ""
			if mod, err := models.FindBotModule(s.db, m.BotModuleID); err == nil {
				text = i18n.T(ctx, "report.message_bot_card", "Name", mod.Name)
				href = "/bots/" + strconv.FormatUint(uint64(mod.ID), 10) + "/edit"
			}
			out = append(out, views.ReportMessage{Kind: m.Type, Text: text, Href: href})
		}
	}
	if t := d.Content.Template; t != nil {
		text := i18n.T(ctx, "report.message_template", "Name", t.Name, "Language", t.Language)
		param := func(where string, i int, p models.ParamSpec) string {
			key := "{{" + strconv.Itoa(i+1) + "}}"
			if p.Name != "" {
				key = "{{" + p.Name + "}}"
			}
			val := p.Text
			if p.ContactName {
				val = i18n.T(ctx, "report.param_contact_name")
			}
			return " · " + i18n.T(ctx, where) + " " + key + " " + val
		}
		filled := s.filledTemplate(c, b)
		if filled == "" {
			// The template is gone from the channel: its parameters at least.
			for i, p := range t.HeaderParams {
				text += param("report.template_header", i, p)
			}
			for i, p := range t.BodyParams {
				text += param("report.template_body", i, p)
			}
		}
		out = append(out, views.ReportMessage{Kind: "template", Text: text, Detail: filled})
	}
	return out
}

// filledTemplate is the WhatsApp template's text as people got it, with
// the contact's name shown as a placeholder ("" when the template is no
// longer among the channel's synced ones).
func (s *Server) filledTemplate(c echo.Context, b *models.Broadcast) string {
	list, err := models.ListWATemplates(s.db, b.ChannelID)
	if err != nil {
		return s.unfilled(b, err)
	}
	in, err := inputFromBroadcast(b, s.Workspace().Location())
	if err != nil {
		return s.unfilled(b, err)
	}
	return s.templateText(c, list, in)
}

// unfilled logs why a template could not be filled for the page, which
// then shows its name and parameters instead.
func (s *Server) unfilled(b *models.Broadcast, err error) string {
	s.log.Warn("filling a broadcast's template for its page failed", "broadcast", b.ID, "err", err)
	return ""
}

// templateText is the chosen template of in as people got it, or "".
func (s *Server) templateText(c echo.Context, list []models.WATemplate, in composerInput) string {
	_, form := templateChoices(list, in)
	if form == nil {
		return ""
	}
	bub := templateBubble(form, i18n.T(c.Request().Context(), "report.param_contact_name_slot"))
	var parts []string
	if bub.Title != "" {
		parts = append(parts, bub.Title)
	}
	for _, seg := range bub.Segments {
		parts = append(parts, seg.Text)
	}
	if bub.Footer != "" {
		parts = append(parts, bub.Footer)
	}
	return strings.Join(parts, "\n")
}
