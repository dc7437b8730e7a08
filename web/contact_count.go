package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// countTimeout bounds one exact count. A count never turns into a guess:
// past this the answer says it could not count and offers to try again.
// (Measured at a million contacts the filters people use take well under
// two seconds; this is the guard for pathological ones.)
const countTimeout = 20 * time.Second

// contactCount answers GET /contacts/count?<the list's query> with the
// exact number of matching contacts (views.MatchCountFragment), which the
// results load after the rows. It reads through the read pool, so a long
// count never holds up the list or a webhook on SQLite's single writer
// connection.
func (s *Server) contactCount(c echo.Context) error {
	// The results always name their channel; no fallback to another one.
	id, ok := parseID(c.QueryParam("channel"))
	if !ok {
		return echo.ErrNotFound
	}
	ch, err := models.FindChannel(s.db, id)
	if errors.Is(err, models.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	now := s.now()
	loc := s.Workspace().Location()
	query := canonicalFilterQuery(c.QueryParams(), loc, now)
	query.Set("channel", strconv.FormatUint(uint64(ch.ID), 10))
	f, errs := models.ParseContactFilter(query, loc)
	if errs != nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "invalid filter")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(c.Request().Context(), countTimeout)
	defer cancel()
	n, err := models.CountContacts(s.reads.WithContext(ctx), f, now)
	if err != nil && ctx.Err() != nil {
		if errors.Is(c.Request().Context().Err(), context.Canceled) {
			return nil // the page went elsewhere: nobody reads the answer
		}
		s.log.Warn("contact count timed out", "channel", ch.ID, "timeout", countTimeout.String())
		return s.render(c, http.StatusOK, views.MatchCountFragment(views.CountView{Failed: true, RetryHref: "/contacts/count?" + f.Values().Encode()}))
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.MatchCountFragment(views.CountView{N: n}))
}
