package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

// tokenList shows the API tokens and the create form.
func (s *Server) tokenList(c echo.Context) error {
	return s.renderTokens(c, http.StatusOK, views.TokensPage{OwnerID: currentUser(c).ID})
}

// renderTokens fills the list and the owners around what the form holds.
func (s *Server) renderTokens(c echo.Context, status int, d views.TokensPage) error {
	tokens, err := models.ListAPITokens(s.db)
	if err != nil {
		return err
	}
	users, err := models.ListUsers(s.db)
	if err != nil {
		return err
	}
	loc := s.Workspace().Location()
	for _, tk := range tokens {
		row := views.TokenRow{ID: tk.ID, Name: tk.Name, Prefix: tk.Prefix, Owner: tk.UserEmail, CreatedAt: tk.CreatedAt.In(loc).Format("2006-01-02 15:04")}
		if tk.LastUsedAt != nil {
			row.LastUsed = tk.LastUsedAt.In(loc).Format("2006-01-02 15:04")
		}
		if tk.RevokedAt != nil {
			row.RevokedAt = tk.RevokedAt.In(loc).Format("2006-01-02 15:04")
		}
		d.Tokens = append(d.Tokens, row)
	}
	for _, u := range users {
		if u.Active {
			d.Owners = append(d.Owners, views.TokenOwner{ID: u.ID, Label: u.Name + " <" + u.Email + "> · " + t(c, "role."+u.Role)})
		}
	}
	d.APIBase = s.apiBaseURL(c)
	return s.render(c, status, views.TokensListPage(s.page(c, "tokens.title", "settings"), d))
}

// apiBaseURL is where clients reach the API: the public URL when set,
// else the address this request came to.
func (s *Server) apiBaseURL(c echo.Context) string {
	if u := s.Workspace().PublicURL; u != "" {
		return u + "/api/v1"
	}
	return c.Scheme() + "://" + c.Request().Host + "/api/v1"
}
