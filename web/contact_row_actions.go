package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// rowTarget reads :id and the channel of a row action.
func rowTarget(c echo.Context) (uint, uint64, error) {
	id, ok := parseContactID(c.Param("id"))
	if !ok {
		return 0, 0, echo.ErrNotFound
	}
	ch, ok := parseID(c.FormValue("channel"))
	if !ok {
		return 0, 0, echo.ErrBadRequest
	}
	return ch, id, nil
}

// afterRowAction reports a row action's outcome back on the list.
func (s *Server) afterRowAction(c echo.Context, err error, successID string) error {
	switch {
	case err == nil:
		s.flash(c, "success", successID)
	case errors.Is(err, models.ErrNotFound):
		s.flash(c, "error", "error.not_found")
	case errors.Is(err, models.ErrTagNameInvalid):
		s.flash(c, "error", err.Error())
	default:
		return err
	}
	return redirect(c, backToList(c))
}

// contactTagsSet replaces one contact's tags (row menu "edit tags").
func (s *Server) contactTagsSet(c echo.Context) error {
	ch, id, err := rowTarget(c)
	if err != nil {
		return err
	}
	err = models.SetContactTags(s.db, ch, id, models.SplitTagNames(c.FormValue("tags")))
	return s.afterRowAction(c, err, "contacts.tags_saved")
}

// contactSubscriptionUpdate unsubscribes or resubscribes one contact.
func (s *Server) contactSubscriptionUpdate(c echo.Context) error {
	ch, id, err := rowTarget(c)
	if err != nil {
		return err
	}
	subscribed := c.FormValue("subscribed") == "true"
	err = models.SetContactSubscribed(s.db, ch, id, subscribed, s.now())
	msg := "contacts.unsubscribed_done"
	if subscribed {
		msg = "contacts.resubscribed_done"
	}
	return s.afterRowAction(c, err, msg)
}

// contactDelete deletes one contact for good, once "DELETE" was typed.
func (s *Server) contactDelete(c echo.Context) error {
	ch, id, err := rowTarget(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "DELETE" {
		s.flash(c, "error", "contacts.delete_not_confirmed")
		return redirect(c, backToList(c))
	}
	return s.afterRowAction(c, models.DeleteContact(s.db, ch, id), "contacts.deleted")
}
