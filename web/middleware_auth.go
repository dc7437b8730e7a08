package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

const userKey = "user"

// currentUser returns the signed-in, active user, or nil.
func currentUser(c echo.Context) *models.User {
	u, _ := c.Get(userKey).(*models.User)
	return u
}

// loadUser reads the session and loads its user on every request, so that
// a session ends at once when its user is deactivated or their session
// epoch has moved on (sign-out, password, role or status change).
func (s *Server) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, epoch := s.sessionUser(c)
		if id == 0 {
			return next(c)
		}
		u, err := models.FindUser(s.db, id)
		switch {
		case err == nil && u.Active && u.SessionEpoch == epoch:
			c.Set(userKey, u)
		case err == nil || errors.Is(err, models.ErrNotFound):
			if err := s.signOut(c); err != nil {
				return err
			}
		default:
			return err
		}
		return next(c)
	}
}

// firstRun sends every page to /setup while no user exists, and hides /setup
// once one does.
func (s *Server) firstRun(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.hasUsers.Load() {
			n, err := models.CountUsers(s.db)
			if err != nil {
				return err
			}
			if n > 0 {
				s.hasUsers.Store(true)
			}
		}
		onSetup := c.Path() == "/setup"
		if s.hasUsers.Load() && onSetup {
			return echo.ErrNotFound
		}
		if !s.hasUsers.Load() && !onSetup && !strings.HasPrefix(c.Path(), "/lang/") {
			return redirect(c, "/setup")
		}
		return next(c)
	}
}

// requireUser sends signed-out visitors to the sign-in page.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			to := "/login"
			if c.Request().Method == http.MethodGet && c.Request().URL.Path != "/" {
				to += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
			}
			return redirect(c, to)
		}
		return next(c)
	}
}

// requireAdmin refuses non-admins with a friendly 403 page.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := currentUser(c); u == nil || !u.IsAdmin() {
			return echo.ErrForbidden
		}
		return next(c)
	}
}
