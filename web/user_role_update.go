package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// userRoleUpdate changes another user's role.
func (s *Server) userRoleUpdate(c echo.Context) error {
	id, err := userIDParam(c)
	if err != nil {
		return err
	}
	err = models.SetUserRole(s.db, id, c.FormValue("role"))
	return s.afterUserChange(c, err, "users.role_changed")
}

// userActiveUpdate deactivates or reactivates another user.
func (s *Server) userActiveUpdate(c echo.Context) error {
	id, err := userIDParam(c)
	if err != nil {
		return err
	}
	active := c.FormValue("active") == "true"
	err = models.SetUserActive(s.db, id, active, s.now())
	msg := "users.deactivated_done"
	if active {
		msg = "users.reactivated_done"
	}
	return s.afterUserChange(c, err, msg)
}

// afterUserChange reports the outcome of a change on the users page.
func (s *Server) afterUserChange(c echo.Context, err error, successID string) error {
	switch {
	case err == nil:
		s.flash(c, "success", successID)
	case errors.Is(err, models.ErrNotFound):
		return echo.ErrNotFound
	case errors.Is(err, models.ErrLastAdmin), errors.Is(err, models.ErrRoleInvalid):
		s.flash(c, "error", err.Error())
	default:
		return err
	}
	return redirect(c, "/users")
}

// userIDParam reads :id; users may not change their own role or status
// (that is how admins lock themselves out).
func userIDParam(c echo.Context) (uint, error) {
	id, err := idParam(c)
	if err != nil {
		return 0, err
	}
	if id == currentUser(c).ID {
		return 0, echo.ErrForbidden
	}
	return id, nil
}
