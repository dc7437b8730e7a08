package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// botCardChoices lists the bot modules the composer offers for a channel:
// every module, with whether it fits this channel's kind and, when not,
// why (fit.<code>, worded). Unfit ones are shown disabled, never hidden,
// so staff learn what to change in the bot builder.
func (s *Server) botCardChoices(c echo.Context, ch *models.Channel) ([]views.BotCardChoice, error) {
	list, err := models.ListBotModules(s.db)
	if err != nil {
		return nil, err
	}
	out := make([]views.BotCardChoice, 0, len(list))
	for _, m := range list {
		card, err := m.Card(s.moduleImage)
		if err != nil {
			return nil, err
		}
		problems := models.ModuleFits(card)[ch.Kind]
		choice := views.BotCardChoice{ID: m.ID, Name: m.Name, Kind: m.Kind, Fits: len(problems) == 0}
		for _, p := range problems {
			choice.Reasons = append(choice.Reasons, t(c, "fit."+p.Code, "Limit", p.Limit, "Got", p.Got))
		}
		out = append(out, choice)
	}
	return out, nil
}

// tagLock is the channel's tagged-broadcast lock as the composer shows
// it (reason, the offending text with its promotional phrases marked, a
// link to the channel page where an admin lifts it); nil when not locked.
func tagLock(ch *models.Channel) *views.TagLockInfo {
	if !ch.TagBroadcastLocked {
		return nil
	}
	return &views.TagLockInfo{
		Reason: lockReasonID(ch.TagLockReason),
		Text:   highlightPromotion(ch.TagLockText),
		Href:   "/channels/" + strconv.FormatUint(uint64(ch.ID), 10),
	}
}

// testerNames names the testers a test send would reach.
func (s *Server) testerNames(channelID uint) ([]string, error) {
	list, err := models.ListTesters(s.db, channelID, models.MaxTestSend)
	var out []string
	for _, ct := range list {
		out = append(out, ct.Name)
	}
	return out, err
}
