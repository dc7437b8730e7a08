package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// contactTagsBulk adds or removes tags on the selection. An all-matching
// selection is tagged by set-based statements, not row by row. A large
// change refreshes the planner's statistics before the answer.
func (s *Server) contactTagsBulk(c echo.Context) error {
	sel, err := s.readSelection(c)
	if err != nil {
		return err
	}
	names := splitTagInput(c.FormValue("tags"))
	remove := c.FormValue("mode") == "remove"
	if len(names) == 0 {
		s.flash(c, "error", "contacts.tags_required")
		return redirect(c, sel.listURL())
	}
	if !sel.all && len(sel.ids) == 0 {
		s.flash(c, "error", "error.audience_empty")
		return redirect(c, sel.listURL())
	}
	var tags []models.Tag
	if remove {
		tags, err = models.FindTags(s.db, names)
	} else {
		tags, err = models.EnsureTags(s.db, names)
	}
	if errors.Is(err, models.ErrTagNameInvalid) {
		s.flash(c, "error", err.Error())
		return redirect(c, sel.listURL())
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
