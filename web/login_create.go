package web

import (
	"math"
	"net/http"

	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views"
)

type loginInput struct {
	Email    string `form:"email"`
	Password string `form:"password"`
}

// dummyHash is checked when no account matches, so that a wrong address
// takes as long as a wrong password and does not reveal who has an account.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2a9ZtD/sVqNsbkDBDtKHZlyn9c4XDvP5NZk6ZzsgIlg"

// loginCreate signs a user in, throttling repeated failures per account and
// address.
func (s *Server) loginCreate(c echo.Context) error {
	var in loginInput
	if err := c.Bind(&in); err != nil {
		return echo.ErrBadRequest
	}
	ip, now := c.RealIP(), s.now()
	form := views.LoginForm{Email: in.Email}

	lockedUntil, err := models.LoginLockedUntil(s.db, in.Email, ip, now)
	if err != nil {
		return err
	}
	if !lockedUntil.IsZero() {
		return s.renderLocked(c, form, lockedUntil.Sub(now).Minutes())
	}

	u, err := models.FindUserByEmail(s.db, in.Email)
	if err != nil && err != models.ErrNotFound {
		return err
	}
	hash := dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	if !models.CheckPassword(hash, in.Password) || u == nil || !u.Active {
		if err := models.RecordLoginFailure(s.db, in.Email, ip, now); err != nil {
			return err
		}
		s.log.Info("sign-in failed", "ip", ip)
		form.Error = "login.invalid"
		return s.render(c, http.StatusUnauthorized, views.LoginPage(s.page(c, "login.title", ""), form))
	}

	if err := models.ClearLoginFailures(s.db, in.Email, ip); err != nil {
		return err
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	s.log.Info("signed in", "user", u.ID)
	return redirect(c, safeNext(c.QueryParam("next"), "/contacts"))
}

func (s *Server) renderLocked(c echo.Context, form views.LoginForm, minutes float64) error {
	form.Error = "login.locked"
	form.ErrorArgs = []any{"Minutes", int(math.Max(1, math.Ceil(minutes)))}
	return s.render(c, http.StatusTooManyRequests, views.LoginPage(s.page(c, "login.title", ""), form))
}
