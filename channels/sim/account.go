package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"omnicast/channels"
)

// Account is one connected channel the simulator serves: a Facebook Page,
// an Instagram professional account, a LINE Official Account or a WhatsApp
// business phone number.
type Account struct {
	// Kind is channels.KindMessenger, KindInstagram, KindLINE or KindWhatsApp.
	Kind string
	// ExternalID is the Page ID, Instagram account ID, LINE channel ID or
	// WhatsApp phone number ID.
	ExternalID string
	// WABAID is the WhatsApp Business Account owning the phone number
	// (its templates are registered with AddTemplate).
	WABAID string
	// DisplayName is the Page / account name, LINE bot name or WhatsApp
	// verified name.
	DisplayName string
	// AccessToken authenticates API requests for this account.
	AccessToken string
	// Secret is the Meta app secret or the LINE channel secret; it signs
	// the webhooks.
	Secret string
	// WebhookURL is omnicast's webhook for this channel, e.g.
	// http://127.0.0.1:8080/webhooks/line/3. Empty: no webhooks.
	WebhookURL string
	// RatePerSecond limits send requests (token bucket, burst of one
	// second's worth); 0 means unlimited.
	RatePerSecond float64
	// MonthlyQuota is LINE's monthly message quota; 0 means none.
	MonthlyQuota int
}

// account is an Account with its simulated state. Guarded by Sim.mu.
type account struct {
	Account
	limiter   *rate.Limiter // nil: unlimited
	botUserID string        // LINE bot user id ("U" + 32 hex)
	retryKeys map[string]retryEntry
	usage     map[string]int // LINE consumption by "2006-01"
	lastHook  *hookCall      // last event webhook, for RedeliverLast
}

// AddAccount registers a or replaces the account with the same ExternalID.
// People already added to that id are kept.
func (s *Sim) AddAccount(a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acc := &account{Account: a, retryKeys: map[string]retryEntry{}, usage: map[string]int{}}
	if old := s.accounts[a.ExternalID]; old != nil {
		acc.retryKeys, acc.usage, acc.lastHook = old.retryKeys, old.usage, old.lastHook
		s.dropToken(old)
	}
	if a.RatePerSecond > 0 {
		burst := int(math.Ceil(a.RatePerSecond))
		acc.limiter = rate.NewLimiter(rate.Limit(a.RatePerSecond), burst)
	}
	sum := sha256.Sum256([]byte("line-bot:" + a.ExternalID))
	acc.botUserID = "U" + hex.EncodeToString(sum[:16])
	s.accounts[a.ExternalID] = acc
	if a.AccessToken != "" {
		s.tokens[a.AccessToken] = append(s.tokens[a.AccessToken], acc)
	}
	if a.Kind == channels.KindWhatsApp && a.WABAID != "" && s.wabas[a.WABAID] == nil {
		s.wabas[a.WABAID] = &waba{}
	}
	if s.people[a.ExternalID] == nil {
		s.people[a.ExternalID] = &roster{byID: map[string]*person{}}
	}
}

// dropToken removes old from the token index. Caller holds s.mu.
func (s *Sim) dropToken(old *account) {
	list := s.tokens[old.AccessToken]
	for i, a := range list {
		if a == old {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.tokens, old.AccessToken)
	} else {
		s.tokens[old.AccessToken] = list
	}
}

// account returns the account with ExternalID id. Caller holds s.mu.
func (s *Sim) account(id string) *account { return s.accounts[id] }

// byToken returns the accounts an access token opens. Caller holds s.mu.
func (s *Sim) byToken(token string) []*account {
	if token == "" {
		return nil
	}
	return s.tokens[token]
}

// bearer extracts the token of an "Authorization: Bearer" header.
func bearer(h string) string {
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// allow takes one token from the account's rate limiter; when empty it
// returns false and how long until a token is available.
func (a *account) allow() (bool, time.Duration) {
	if a.limiter == nil {
		return true, 0
	}
	now := time.Now()
	r := a.limiter.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}
