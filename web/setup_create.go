package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

type setupInput struct {
	Name     string `form:"name"`
	Email    string `form:"email"`
	Password string `form:"password"`
	Demo     bool   `form:"demo"`
}

// setupCreate creates the first admin, then sends them to sign in.
func (s *Server) setupCreate(c echo.Context) error {
	var in setupInput
	if err := c.Bind(&in); err != nil {
		return echo.ErrBadRequest
	}
	_, err := models.CreateFirstAdmin(s.db, models.NewUserInput{Name: in.Name, Email: in.Email, Password: in.Password})
	if errors.Is(err, models.ErrSetupDone) {
		return echo.ErrNotFound
	}
	if fe, ok := formErrors(err); ok {
		form := views.SetupForm{Name: in.Name, Email: in.Email, Errors: fe, DemoAvailable: s.startDemo != nil, Demo: in.Demo}
		return s.render(c, http.StatusUnprocessableEntity, views.SetupPage(s.page(c, "setup.title", ""), form))
	}
	if err != nil {
		return err
	}
	s.hasUsers.Store(true)
	s.log.Info("first admin created")
	s.flash(c, "success", "setup.done")
	if in.Demo && s.startDemo != nil {
		// The simulator calls our webhooks over loopback, at the address
		// this request reached.
		s.launchDemo(c.Scheme() + "://" + c.Request().Host)
		s.flash(c, "info", "demo.loading")
	}
	return redirect(c, "/login")
}
