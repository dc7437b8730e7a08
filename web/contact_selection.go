package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// selection is what the list's selection forms post: explicit ids, or
// "all contacts matching the filter".
type selection struct {
	channel *models.Channel
	filter  models.ContactFilter
	ids     []uint64
	all     bool
}

// readSelection reads and checks a posted selection.
func (s *Server) readSelection(c echo.Context) (*selection, error) {
	id, ok := parseID(c.FormValue("channel"))
	if !ok {
		return nil, echo.ErrBadRequest
	}
	ch, err := models.FindChannel(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, echo.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	q, err := url.ParseQuery(c.FormValue("filter"))
	if err != nil {
		return nil, echo.ErrBadRequest
	}
	q.Set("channel", strconv.FormatUint(uint64(ch.ID), 10))
	f, errs := models.ParseContactFilter(q, s.Workspace().Location())
	if errs != nil {
		return nil, echo.ErrBadRequest
	}
	sel := &selection{channel: ch, filter: f, all: c.FormValue("all") == "1"}
	for _, part := range strings.Split(c.FormValue("ids"), ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		n, ok := parseContactID(part)
		if !ok {
			return nil, echo.ErrBadRequest
		}
		sel.ids = append(sel.ids, n)
	}
	return sel, nil
}

// listURL is the contact list showing the selection's filter.
func (sel *selection) listURL() string { return "/contacts?" + sel.filter.Values().Encode() }

// backToList returns to the list a row action came from.
func backToList(c echo.Context) string {
	q, err := url.ParseQuery(c.FormValue("back"))
	if err != nil {
		return "/contacts"
	}
	if q.Get("channel") == "" {
		q.Set("channel", c.FormValue("channel"))
	}
	return "/contacts?" + q.Encode()
}
