package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// contactTagsBulk adds or removes tags on the selection. An all-matching
// selection is tagged by set-based statements, not row by row. A refused
// form comes back as it was sent: the tags typed, the selection, the
// reason next to the box. A large change refreshes the planner's
// statistics before the answer.
func (s *Server) contactTagsBulk(c echo.Context) error {
	sel, err := s.readSelection(c)
	if err != nil {
		return err
	}
	typed := c.FormValue("tags")
	names := models.SplitTagNames(typed)
	remove := c.FormValue("mode") == "remove"
	if len(names) == 0 {
		return s.bulkTagRefused(c, sel, typed, "contacts.tags_required")
	}
	if !sel.all && len(sel.ids) == 0 {
		return s.bulkTagRefused(c, sel, typed, "error.audience_empty")
	}
	var tags []models.Tag
	if remove {
		tags, err = models.FindTags(s.db, names)
	} else {
		tags, err = models.EnsureTags(s.db, names)
	}
	if errors.Is(err, models.ErrTagNameInvalid) {
		return s.bulkTagRefused(c, sel, typed, err.Error())
	}
	if err != nil {
		return err
	}
	now := s.now()
	switch {
	case sel.all && remove:
		_, err = models.UntagMatching(s.db, sel.filter, tags, now)
	case sel.all:
		_, err = models.TagMatching(s.db, sel.filter, tags, now)
	default:
		ids, verr := models.ContactIDsOfChannel(s.db, sel.channel.ID, sel.ids)
		if verr != nil {
			return verr
		}
		if remove {
			err = models.UntagContacts(s.db, ids, tags)
		} else {
			err = models.TagContacts(s.db, ids, tags)
		}
		if err == nil {
			// Done means the planner knows the new tag sizes.
			err = models.RefreshAfterBulkTagging(s.db.WithContext(c.Request().Context()), int64(len(ids)*len(tags)))
		}
	}
	if err != nil {
		return err
	}
	if remove {
		s.flash(c, "success", "contacts.tags_removed")
	} else {
		s.flash(c, "success", "contacts.tags_added")
	}
	return redirect(c, sel.listURL())
}

// bulkTagRefused shows the contact list again (422) with the tag box as
// typed, the reason beside it, and the selection the form carried.
func (s *Server) bulkTagRefused(c echo.Context, sel *selection, typed, reason string) error {
	list, err := models.ListChannels(s.db)
	if err != nil {
		return err
	}
	query := sel.filter.Values()
	results, _, err := s.contactResults(c, sel.channel, query, s.Workspace().Location(), s.now())
	if err != nil {
		return err
	}
	results.TagInput = typed
	results.TagError = reason
	ids := make([]string, len(sel.ids))
	for i, id := range sel.ids {
		ids[i] = strconv.FormatUint(id, 10)
	}
	keep, _ := json.Marshal(map[string]any{"all": sel.all, "ids": ids})
	results.KeepSelection = string(keep)
	return s.renderContactsPage(c, http.StatusUnprocessableEntity, list, sel.channel, query, results, nil, false)
}
