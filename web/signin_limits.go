package web

import (
	"runtime"
	"time"

	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Limits on unauthenticated work, per client address (see limiterKey).
// They are kept in memory per instance: they blunt floods, while the
// per-account throttle (models.BeginLoginAttempt) lives in the database and
// holds across instances.
const (
	// signInBurst attempts at once from one address, across accounts, then
	// one every signInEvery: an office behind one address signs in freely,
	// a script trying account after account does not.
	signInBurst = 20
	signInEvery = 6 * time.Second
	// setupCodeBurst set-up attempts from another machine at once, then one
	// every setupCodeEvery. The code has 60 random bits: at this pace
	// guessing it takes longer than the universe has existed.
	setupCodeBurst = 10
	setupCodeEvery = 30 * time.Second
	// hashWait is how long a request may wait for a free hashing slot.
	hashWait = 300 * time.Millisecond
)

// newAddressLimiter allows burst requests per address, refilled one per every.
func newAddressLimiter(burst int, every time.Duration) *middleware.RateLimiterMemoryStore {
	return middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate:  rate.Every(every),
		Burst: burst,
		// Forgetting an address is only safe once its bucket would be full again.
		ExpiresIn: time.Duration(burst+1) * every,
	})
}

// hashSlots is how many password hashes may run at once: one per core.
func hashSlots() int { return runtime.NumCPU() }
