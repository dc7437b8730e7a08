package web

import (
	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// This file holds what the composer asks of other parts of issue 8 that
// are built in parallel (bot modules: helper bots; the tag lock and test
// lists: helper promo). Each function is the one place to wire in their
// functions when they land on main.

// botCardChoices lists the bot modules the composer offers for a channel,
// each with whether it fits (fit.Card) and why not.
// TODO(h8-bots): models.ListBotModules + fit.Card once on main.
func (s *Server) botCardChoices(c echo.Context, ch *models.Channel) ([]views.BotCardChoice, error) {
	return nil, nil
}

// tagLock is the channel's tagged-broadcast lock, nil when not locked.
// TODO(h8-promo): the lock's offending text once its columns are on main.
func tagLock(ch *models.Channel) *views.TagLockInfo {
	if !ch.TagBroadcastLocked {
		return nil
	}
	return &views.TagLockInfo{Reason: ch.TagLockReason}
}

// maxTestRecipients is how many testers a test send reaches.
const maxTestRecipients = 5

// testers lists the channel's test list, at most maxTestRecipients.
func (s *Server) testers(channelID uint) ([]models.Contact, error) {
	var list []models.Contact
	err := s.db.Where("channel_id = ? AND tester = ?", channelID, true).Order("id").Limit(maxTestRecipients).Find(&list).Error
	return list, err
}

// testerNames names the testers a test send would reach.
func (s *Server) testerNames(channelID uint) ([]string, error) {
	list, err := s.testers(channelID)
	var out []string
	for _, ct := range list {
		out = append(out, ct.Name)
	}
	return out, err
}
