package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// tokenRevoke ends a token at once: its next request is refused.
func (s *Server) tokenRevoke(c echo.Context) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return echo.ErrNotFound
	}
	tok, err := models.RevokeAPIToken(s.db, id, s.now())
	if errors.Is(err, models.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	s.log.Info("api token revoked", "token", tok.ID, "by", currentUser(c).ID)
	s.flash(c, "success", "tokens.revoked_flash")
	return redirect(c, "/settings/tokens")
}
