package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/views"
)

// loginShow shows the sign-in form; signed-in users go straight on.
func (s *Server) loginShow(c echo.Context) error {
	if currentUser(c) != nil {
		return redirect(c, safeNext(c.QueryParam("next"), "/contacts"))
	}
	form := views.LoginForm{Next: safeNext(c.QueryParam("next"), "")}
	return s.render(c, http.StatusOK, views.LoginPage(s.page(c, "login.title", ""), form))
}
