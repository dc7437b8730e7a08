package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

type userCreateInput struct {
	Name     string `form:"name"`
	Email    string `form:"email"`
	Role     string `form:"role"`
	Password string `form:"password"`
}

// userCreate adds a user; on invalid input the form comes back filled in.
func (s *Server) userCreate(c echo.Context) error {
	var in userCreateInput
	if err := c.Bind(&in); err != nil {
		return echo.ErrBadRequest
	}
	// Hashing the new password counts against the same bound as sign-ins.
	release, ok := s.hashes.acquire(c.Request().Context())
	if !ok {
		form := views.NewUserForm{Name: in.Name, Email: in.Email, Role: in.Role, Errors: views.FormErrors{"password": "error.hashing_busy"}}
		return s.renderUsers(c, http.StatusTooManyRequests, form)
	}
	_, err := models.CreateUser(s.db, models.NewUserInput{Name: in.Name, Email: in.Email, Role: in.Role, Password: in.Password})
	release()
	if fe, ok := formErrors(err); ok {
		form := views.NewUserForm{Name: in.Name, Email: in.Email, Role: in.Role, Errors: fe}
		return s.renderUsers(c, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "users.added")
	return redirect(c, "/users")
}
