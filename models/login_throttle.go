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

// LoginFailure records one failed sign-in.
type LoginFailure struct {
	ID        uint      `gorm:"primaryKey"`
	Email     string    `gorm:"size:254;not null;index:idx_login_failures_lookup,priority:1"`
	IP        string    `gorm:"size:64;not null;index:idx_login_failures_lookup,priority:2"`
	CreatedAt time.Time `gorm:"not null;index:idx_login_failures_lookup,priority:3"`
}

// LoginLockedUntil returns the time until which sign-ins for (email, ip) are
// refused, or the zero time when they are allowed.
func LoginLockedUntil(db *gorm.DB, email, ip string, now time.Time) (time.Time, error) {
	var times []time.Time
	err := db.Model(&LoginFailure{}).
		Where("email = ? AND ip = ? AND created_at > ?", NormalizeEmail(email), ip, now.Add(-LoginWindow).UTC()).
		Order("created_at ASC").Limit(LoginMaxFailures).Pluck("created_at", &times).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("models: load sign-in failures: %w", err)
	}
	if len(times) < LoginMaxFailures {
		return time.Time{}, nil
	}
	return times[0].Add(LoginWindow), nil
}

// RecordLoginFailure notes a failed sign-in and prunes records that can no longer matter.
func RecordLoginFailure(db *gorm.DB, email, ip string, now time.Time) error {
	f := LoginFailure{Email: NormalizeEmail(email), IP: ip, CreatedAt: now.UTC()}
	if err := db.Create(&f).Error; err != nil {
		return fmt.Errorf("models: record sign-in failure: %w", err)
	}
	if err := db.Where("created_at < ?", now.Add(-2*LoginWindow).UTC()).Delete(&LoginFailure{}).Error; err != nil {
		return fmt.Errorf("models: prune sign-in failures: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets failures for (email, ip) after a successful sign-in.
func ClearLoginFailures(db *gorm.DB, email, ip string) error {
	if err := db.Where("email = ? AND ip = ?", NormalizeEmail(email), ip).Delete(&LoginFailure{}).Error; err != nil {
		return fmt.Errorf("models: clear sign-in failures: %w", err)
	}
	return nil
}
