package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// setupShow shows the first-run form (only while no user exists). Visitors
// from another machine must enter the set-up code from the server log.
func (s *Server) setupShow(c echo.Context) error {
	form := views.SetupForm{DemoAvailable: s.demo.available(), CodeRequired: !fromLoopback(c)}
	if form.CodeRequired {
		// Someone is about to need the code: make sure a recent log line shows it.
		if err := s.logSetupCode(time.Minute); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, views.SetupPage(s.page(c, "setup.title", ""), form))
}

// announceSetupCode writes the set-up code to the log at start, while the
// workspace has no user yet.
func (s *Server) announceSetupCode() error {
	n, err := models.CountUsers(s.db)
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	if n > 0 {
		s.hasUsers.Store(true)
		return nil
	}
	return s.logSetupCode(0)
}

// logSetupCode logs the set-up code unless it was logged within the last
// interval. The code is meant to be read from the log: it proves that
// whoever claims the first admin account can read the server's output.
func (s *Server) logSetupCode(interval time.Duration) error {
	now := time.Now()
	if last := s.setupCodeLogged.Load(); interval > 0 && now.UnixNano()-last < int64(interval) {
		return nil
	}
	code, err := models.SetupCode(s.db)
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	s.setupCodeLogged.Store(now.UnixNano())
	s.log.Warn("first-run set-up: no admin exists yet. Visitors from other machines must enter this set-up code on the set-up page",
		"setup_code", code)
	return nil
}
