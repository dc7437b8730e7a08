package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/channels"
	"omnicast/channels/messenger"
	"omnicast/models"
	"omnicast/views"
)

// channelTestersShown bounds the testers listed on the channel page.
const channelTestersShown = 50

// channelHistoryShown bounds the lock history shown.
const channelHistoryShown = 5

// channelShow is an account's page for every signed-in user: a marketer
// sees why tagged broadcasts are locked (read-only) and the test list; an
// admin can also lift the lock.
func (s *Server) channelShow(c echo.Context) error {
	ch, err := s.loadChannel(c)
	if err != nil {
		return err
	}
	loc := s.Workspace().Location()
	d := views.ChannelPage{
		ID: ch.ID, Kind: ch.Kind, Name: ch.Name, ExternalID: ch.ExternalID,
		Taggable:     ch.Kind == channels.KindMessenger,
		ContactsHref: "/contacts?channel=" + strconv.FormatUint(uint64(ch.ID), 10),
	}
	names := &userNames{s: s}
	if ch.TagBroadcastLocked {
		d.Lock = &views.TagLockView{
			Reason: lockReasonID(ch.TagLockReason), Text: highlightPromotion(ch.TagLockText),
			LockedAt: formatTime(ch.TagLockedAt, loc), LockedBy: names.of(ch.TagLockedBy),
		}
	}
	if d.Taggable {
		if d.History, err = s.tagLockHistory(ch.ID, loc, names); err != nil {
			return err
		}
	}
	testers, err := models.ListTesters(s.db, ch.ID, channelTestersShown)
	if err != nil {
		return err
	}
	for _, t := range testers {
		d.Testers = append(d.Testers, views.TesterRow{ID: t.ID, Name: t.Name, ExternalID: t.ExternalID, Subscribed: t.Subscribed})
	}
	if d.TesterCount, err = models.CountTesters(s.db, ch.ID); err != nil {
		return err
	}
	nav := "contacts" // marketers reach it from the contacts page
	if u := currentUser(c); u != nil && u.IsAdmin() {
		nav = "channels"
	}
	p := s.page(c, "promo.channel_title", nav)
	p.Title = ch.Name
	return s.render(c, http.StatusOK, views.ChannelShowPage(p, d))
}

// tagLockHistory is the channel's latest lock and unlock entries, newest first.
func (s *Server) tagLockHistory(channelID uint, loc *time.Location, names *userNames) ([]views.TagLockEntry, error) {
	entries, err := models.ListChannelAudit(s.db, channelID)
	if err != nil {
		return nil, err
	}
	var out []views.TagLockEntry
	for _, e := range slices.Backward(entries) {
		var action string
		switch e.Action {
		case models.AuditTagLock:
			action = "promo.history_lock"
		case models.AuditTagUnlock:
			action = "promo.history_unlock"
		default:
			continue
		}
		at := e.At
		out = append(out, views.TagLockEntry{Action: action, At: formatTime(&at, loc), By: names.of(e.UserID)})
		if len(out) == channelHistoryShown {
			break
		}
	}
	return out, nil
}

// lockReasonID words a stored lock reason; an unknown one (a newer
// version's) reads as promotion, the only reason there is.
func lockReasonID(reason string) string {
	switch reason {
	case models.LockPromotional:
		return "promo.lock_reason." + reason
	}
	return "promo.lock_reason." + models.LockPromotional
}

// highlightPromotion cuts text into segments, marking what the promotion
// rules matched, so the page shows why it was locked.
func highlightPromotion(text string) []views.TextSegment {
	var out []views.TextSegment
	pos := 0
	for _, span := range messenger.PromoSpans(messenger.CheckPromotion([]string{text}), 0) {
		if span[0] > pos {
			out = append(out, views.TextSegment{Text: text[pos:span[0]]})
		}
		out = append(out, views.TextSegment{Text: text[span[0]:span[1]], Hit: true})
		pos = span[1]
	}
	if pos < len(text) {
		out = append(out, views.TextSegment{Text: text[pos:]})
	}
	return out
}

// userNames looks up and remembers users' names for a page.
type userNames struct {
	s    *Server
	seen map[uint]string
}

// of is the user's name, "" for none (omnicast itself) or a user gone.
func (n *userNames) of(id *uint) string {
	if id == nil {
		return ""
	}
	if name, ok := n.seen[*id]; ok {
		return name
	}
	name := ""
	u, err := models.FindUser(n.s.db, *id)
	switch {
	case err == nil:
		name = u.Name
	case !errors.Is(err, models.ErrNotFound):
		n.s.log.Warn("channel page: look up user", "user", *id, "err", err)
	}
	if n.seen == nil {
		n.seen = map[uint]string{}
	}
	n.seen[*id] = name
	return name
}
