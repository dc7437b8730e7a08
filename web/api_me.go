package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// apiMe tells a client whom its token acts for: a cheap way to check a
// token works.
func (s *Server) apiMe(c echo.Context) error {
	u, tok := apiUser(c), apiToken(c)
	return c.JSON(http.StatusOK, map[string]any{
		"user":  map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role},
		"token": map[string]any{"id": tok.ID, "name": tok.Name, "prefix": tok.Prefix},
	})
}
