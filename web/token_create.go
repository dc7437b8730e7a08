package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

type tokenCreateInput struct {
	Name   string `form:"name"`
	UserID uint   `form:"user_id"`
}

// tokenCreate makes a token and shows its secret on the answer itself —
// once: it is in no redirect, flash or log, and the page is not cached.
func (s *Server) tokenCreate(c echo.Context) error {
	var in tokenCreateInput
	if err := c.Bind(&in); err != nil {
		return echo.ErrBadRequest
	}
	me := currentUser(c)
	if in.UserID == 0 {
		in.UserID = me.ID
	}
	tok, secret, err := models.CreateAPITokenBy(s.db, in.Name, in.UserID, &me.ID, s.now())
	if fe, ok := formErrors(err); ok {
		return s.renderTokens(c, http.StatusUnprocessableEntity, views.TokensPage{Name: in.Name, OwnerID: in.UserID, Errors: fe})
	}
	if err != nil {
		return err
	}
	s.log.Info("api token created", "token", tok.ID, "prefix", tok.Prefix, "owner", tok.UserID, "by", me.ID)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.renderTokens(c, http.StatusCreated, views.TokensPage{OwnerID: me.ID, NewSecret: secret, NewName: tok.Name})
}
