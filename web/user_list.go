package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// userList shows every user and the add-user form.
func (s *Server) userList(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, views.NewUserForm{Role: models.RoleMarketer})
}

func (s *Server) renderUsers(c echo.Context, status int, form views.NewUserForm) error {
	users, err := models.ListUsers(s.db)
	if err != nil {
		return err
	}
	me := currentUser(c)
	loc := s.Workspace().Location()
	rows := make([]views.UserRow, 0, len(users))
	for _, u := range users {
		rows = append(rows, views.UserRow{
			ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, Active: u.Active,
			IsSelf: u.ID == me.ID, CreatedAt: u.CreatedAt.In(loc).Format("2006-01-02 15:04"),
		})
	}
	return s.render(c, status, views.UsersPage(s.page(c, "users.title", "users"), rows, form))
}
