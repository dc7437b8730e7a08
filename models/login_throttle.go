package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Sign-in throttling: after LoginMaxFailures failed sign-ins for one account
// from one address within LoginWindow, further tries are refused until the
// window that those failures opened has passed.
const (
	LoginMaxFailures = 5
	LoginWindow      = 15 * time.Minute
)

// LoginFailure records one failed sign-in — or one in progress: an attempt
// is recorded before its password is checked (see BeginLoginAttempt).
type LoginFailure struct {
	ID        uint      `gorm:"primaryKey"`
	Email     string    `gorm:"size:254;not null;index:idx_login_failures_lookup,priority:1"`
	IP        string    `gorm:"size:64;not null;index:idx_login_failures_lookup,priority:2"`
	CreatedAt time.Time `gorm:"not null;index:idx_login_failures_lookup,priority:3"`
}

// LoginAttempt is a sign-in allowed by the throttle, recorded as a failure
// until it is known to have succeeded.
type LoginAttempt struct {
	id    uint
	email string
	ip    string
}

// throttleKey is the stored form of what a visitor typed as their address.
func throttleKey(email string) string { return CleanText(NormalizeEmail(email), 254) }

// BeginLoginAttempt checks the throttle for (email, ip) and records the
// attempt in one step, so parallel attempts cannot all pass the check
// before any of them is recorded. The check and the insert share one
// transaction that is serialised per (email, ip): by a transaction-level
// advisory lock on PostgreSQL, and by SQLite's single writer (immediate
// transactions) there. However many attempts run at once, at most
// LoginMaxFailures passwords are checked per window.
//
// When refused, a is nil and lockedUntil tells until when; nothing is
// recorded. An allowed attempt counts as a failure until Succeeded clears it.
func BeginLoginAttempt(db *gorm.DB, email, ip string, now time.Time) (a *LoginAttempt, lockedUntil time.Time, err error) {
	f := LoginFailure{Email: throttleKey(email), IP: CleanText(ip, 64), CreatedAt: now.UTC()}
	err = db.Transaction(func(tx *gorm.DB) error {
		if IsPostgres(tx) {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "omnicast.login|"+f.Email+"|"+f.IP).Error; err != nil {
				return fmt.Errorf("models: lock sign-in attempts: %w", err)
			}
		}
		var times []time.Time
		err := tx.Model(&LoginFailure{}).
			Where("email = ? AND ip = ? AND created_at > ?", f.Email, f.IP, now.Add(-LoginWindow).UTC()).
			Order("created_at ASC").Limit(LoginMaxFailures).Pluck("created_at", &times).Error
		if err != nil {
			return fmt.Errorf("models: count sign-in failures: %w", err)
		}
		if len(times) >= LoginMaxFailures {
			lockedUntil = times[0].Add(LoginWindow)
			return nil
		}
		if err := tx.Create(&f).Error; err != nil {
			return fmt.Errorf("models: record sign-in attempt: %w", err)
		}
		return nil
	})
	if err != nil || !lockedUntil.IsZero() {
		return nil, lockedUntil, err
	}
	if err := db.Where("created_at < ?", now.Add(-2*LoginWindow).UTC()).Delete(&LoginFailure{}).Error; err != nil {
		return nil, time.Time{}, fmt.Errorf("models: prune sign-in failures: %w", err)
	}
	return &LoginAttempt{id: f.ID, email: f.Email, ip: f.IP}, time.Time{}, nil
}

// Cancel forgets an attempt whose password was never checked (the server
// was too busy), so it does not count against the account.
func (a *LoginAttempt) Cancel(db *gorm.DB) error {
	if err := db.Delete(&LoginFailure{}, a.id).Error; err != nil {
		return fmt.Errorf("models: cancel sign-in attempt: %w", err)
	}
	return nil
}

// Succeeded forgets the failures for (email, ip) after a successful sign-in.
func (a *LoginAttempt) Succeeded(db *gorm.DB) error {
	if err := db.Where("email = ? AND ip = ?", a.email, a.ip).Delete(&LoginFailure{}).Error; err != nil {
		return fmt.Errorf("models: clear sign-in failures: %w", err)
	}
	return nil
}
