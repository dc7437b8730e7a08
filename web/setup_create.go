package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

type setupInput struct {
	Name      string `form:"name"`
	Email     string `form:"email"`
	Password  string `form:"password"`
	Demo      bool   `form:"demo"`
	SetupCode string `form:"setup_code"`
}

// setupCreate creates the first admin and signs them in. A visitor from
// another machine must first give the set-up code from the server log.
func (s *Server) setupCreate(c echo.Context) error {
	var in setupInput
	if err := c.Bind(&in); err != nil {
		return echo.ErrBadRequest
	}
	form := views.SetupForm{
		Name: in.Name, Email: in.Email, DemoAvailable: s.demo.available(), Demo: in.Demo,
		CodeRequired: !fromLoopback(c), Code: in.SetupCode,
	}
	if form.CodeRequired {
		if done, err := s.checkSetupCode(c, &form); done || err != nil {
			return err
		}
	}
	release, ok := s.hashes.acquire(c.Request().Context())
	if !ok {
		form.Error = "error.hashing_busy"
		return s.render(c, http.StatusTooManyRequests, views.SetupPage(s.page(c, "setup.title", ""), form))
	}
	u, err := models.CreateFirstAdmin(s.db, models.NewUserInput{Name: in.Name, Email: in.Email, Password: in.Password})
	release()
	if errors.Is(err, models.ErrSetupDone) {
		return echo.ErrNotFound
	}
	if fe, ok := formErrors(err); ok {
		form.Errors = fe
		return s.render(c, http.StatusUnprocessableEntity, views.SetupPage(s.page(c, "setup.title", ""), form))
	}
	if err != nil {
		return err
	}
	s.hasUsers.Store(true)
	s.log.Info("first admin created", "user", u.ID)
	if err := s.signIn(c, u); err != nil {
		return err
	}
	s.flash(c, "success", "setup.ready")
	if in.Demo && s.demo.available() {
		// The simulator calls our webhooks over loopback, at the address
		// this request reached.
		s.launchDemo(c.Scheme() + "://" + c.Request().Host)
		s.flash(c, "info", "demo.loading")
	}
	return redirect(c, "/contacts")
}

// checkSetupCode refuses a wrong set-up code, and every code once an
// address has tried too many; done tells that the answer has been written.
func (s *Server) checkSetupCode(c echo.Context, form *views.SetupForm) (done bool, err error) {
	ip := c.RealIP()
	if ok, _ := s.setupCodeLimit.Allow(limiterKey(ip)); !ok {
		s.log.Warn("set-up refused: too many set-up code attempts", "ip", ip)
		form.Error = "setup.code_limited"
		c.Response().Header().Set("Retry-After", "60")
		return true, s.render(c, http.StatusTooManyRequests, views.SetupPage(s.page(c, "setup.title", ""), *form))
	}
	ok, err := models.CheckSetupCode(s.db, form.Code)
	if err != nil {
		return true, err
	}
	if ok {
		return false, nil
	}
	s.log.Warn("set-up refused: wrong set-up code", "ip", ip)
	form.Errors = views.FormErrors{"setup_code": "error.setup_code_invalid"}
	return true, s.render(c, http.StatusUnprocessableEntity, views.SetupPage(s.page(c, "setup.title", ""), *form))
}
