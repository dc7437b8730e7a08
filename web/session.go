package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"omnicast/models"
	"omnicast/views/components"
)

// Cookie names.
const (
	sessionCookie = "omnicast_session"
	flashCookie   = "omnicast_flash"
	langCookie    = "omnicast_lang"
	csrfCookie    = "omnicast_csrf"
)

const sessionMaxAge = 7 * 24 * 60 * 60 // one week, in seconds

func newSessionStore(secret []byte) (*sessions.CookieStore, error) {
	authKey, err := models.DeriveKey(secret, "session-auth")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	encKey, err := models.DeriveKey(secret, "session-encryption")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	store := sessions.NewCookieStore(authKey, encKey)
	store.Options = &sessions.Options{Path: "/", MaxAge: sessionMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	return store, nil
}

// secureCookies tells whether cookies must be marked Secure: when the public
// URL is https, the browser reaches us over TLS.
func (s *Server) secureCookies() bool {
	return strings.HasPrefix(s.Workspace().PublicURL, "https://")
}

func (s *Server) session(c echo.Context, name string) *sessions.Session {
	// Get only fails on a tampered or stale cookie; a fresh session is the
	// right answer to both.
	sess, _ := s.sessions.Get(c.Request(), name)
	sess.Options.Secure = s.secureCookies()
	return sess
}

func (s *Server) saveSession(c echo.Context, sess *sessions.Session) error {
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("web: save session: %w", err)
	}
	return nil
}

// signIn records the user and their current session epoch in the session
// cookie; the cookie stops working once the user's epoch moves on.
func (s *Server) signIn(c echo.Context, u *models.User) error {
	sess := s.session(c, sessionCookie)
	sess.Values = map[any]any{"uid": u.ID, "epoch": u.SessionEpoch}
	sess.Options.MaxAge = sessionMaxAge
	return s.saveSession(c, sess)
}

// signOut deletes the session cookie.
func (s *Server) signOut(c echo.Context) error {
	sess := s.session(c, sessionCookie)
	sess.Values = map[any]any{}
	sess.Options.MaxAge = -1
	return s.saveSession(c, sess)
}

// sessionUser returns the signed-in user id (0 when none) and the session
// epoch the cookie was issued under. A cookie without an epoch predates
// epochs and is treated as ended (-1).
func (s *Server) sessionUser(c echo.Context) (id uint, epoch int64) {
	values := s.session(c, sessionCookie).Values
	id, _ = values["uid"].(uint)
	epoch, ok := values["epoch"].(int64)
	if !ok {
		epoch = -1
	}
	return id, epoch
}

// flash queues a one-time message (a catalogue id) for the next page.
func (s *Server) flash(c echo.Context, kind, messageID string) {
	sess := s.session(c, flashCookie)
	sess.Options.MaxAge = 0
	sess.AddFlash(kind + "|" + messageID)
	if err := s.saveSession(c, sess); err != nil {
		s.log.Warn("flash not saved", "err", err)
	}
}

// popFlashes takes the queued messages; call before writing the body.
func (s *Server) popFlashes(c echo.Context) []components.Flash {
	sess := s.session(c, flashCookie)
	raw := sess.Flashes()
	if len(raw) == 0 {
		return nil
	}
	sess.Options.MaxAge = -1
	if err := s.saveSession(c, sess); err != nil {
		s.log.Warn("flash not cleared", "err", err)
	}
	out := make([]components.Flash, 0, len(raw))
	for _, r := range raw {
		str, _ := r.(string)
		kind, msg, ok := strings.Cut(str, "|")
		if ok {
			out = append(out, components.Flash{Kind: kind, Message: msg})
		}
	}
	return out
}
