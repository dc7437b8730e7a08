package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

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

// loginCreate signs a user in. Three limits come first, cheapest first: the
// attempts per client address (across accounts), the failures per account
// and address (in the database, atomic), and the number of password hashes
// running at once.
func (s *Server) loginCreate(c echo.Context) error {
	var in loginInput
	if err := c.Bind(&in); err != nil {
		return echo.ErrBadRequest
	}
	ip, now := c.RealIP(), s.now()
	form := views.LoginForm{Email: in.Email, Next: safeNext(c.FormValue("next"), "")}

	if ok, _ := s.signInLimit.Allow(limiterKey(ip)); !ok {
		s.log.Warn("sign-in refused: too many attempts from one address", "ip", ip)
		return s.renderLoginRefused(c, form, "login.address_limited", signInEvery)
	}
	attempt, lockedUntil, err := models.BeginLoginAttempt(s.db, in.Email, ip, now)
	if err != nil {
		return err
	}
	if attempt == nil {
		return s.renderLocked(c, form, lockedUntil.Sub(now).Minutes())
	}
	release, ok := s.hashes.acquire(c.Request().Context())
	if !ok {
		if err := attempt.Cancel(s.db); err != nil {
			return err
		}
		s.log.Warn("sign-in refused: password hashing is at capacity", "ip", ip)
		return s.renderLoginRefused(c, form, "error.hashing_busy", time.Second)
	}
	u, err := models.FindUserByEmail(s.db, in.Email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		release()
		return err
	}
	hash := dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	matched := models.CheckPassword(hash, in.Password)
	release()
	if !matched || u == nil || !u.Active {
		// The attempt stays recorded as a failure.
		s.log.Info("sign-in failed", "ip", ip)
		form.Error = "login.invalid"
		return s.render(c, http.StatusUnauthorized, views.LoginPage(s.page(c, "login.title", ""), form))
	}

	if err := attempt.Succeeded(s.db); err != nil {
		return err
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	s.log.Info("signed in", "user", u.ID)
	return redirect(c, safeNext(c.FormValue("next"), "/contacts"))
}

func (s *Server) renderLocked(c echo.Context, form views.LoginForm, minutes float64) error {
	form.Error = "login.locked"
	form.ErrorArgs = []any{"Minutes", int(math.Max(1, math.Ceil(minutes)))}
	return s.render(c, http.StatusTooManyRequests, views.LoginPage(s.page(c, "login.title", ""), form))
}

// renderLoginRefused answers 429 with the sign-in form, keeping the address.
func (s *Server) renderLoginRefused(c echo.Context, form views.LoginForm, messageID string, retryAfter time.Duration) error {
	form.Error = messageID
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	return s.render(c, http.StatusTooManyRequests, views.LoginPage(s.page(c, "login.title", ""), form))
}
