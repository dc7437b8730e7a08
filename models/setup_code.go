package models

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SettingSetupCode holds the one-time first-run set-up code while no user
// exists. It lives in the database, not in one process, so every instance
// behind a load balancer prints and accepts the same code.
const SettingSetupCode = "setup_code"

// setupCodeAlphabet is Crockford's base32 (no I, L, O or U): 12 characters
// carry 60 random bits, read aloud or copied from a log without confusion.
const setupCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const setupCodeLength = 12

// SetupCode returns the first-run set-up code, creating it on first use.
// Call it only while no user exists; creating the first admin deletes it.
func SetupCode(db *gorm.DB) (string, error) {
	code, err := loadSetupCode(db)
	if err == nil {
		return code, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", err
	}
	fresh, err := newSetupCode()
	if err != nil {
		return "", err
	}
	// Two instances starting together may both get here: the first insert
	// wins and both read it back.
	err = db.Clauses(clause.OnConflict{DoNothing: true}).Create(&Setting{Key: SettingSetupCode, Value: fresh}).Error
	if err != nil {
		return "", fmt.Errorf("models: store set-up code: %w", err)
	}
	code, err = loadSetupCode(db)
	if err != nil {
		return "", fmt.Errorf("models: load set-up code: %w", err)
	}
	return code, nil
}

// CheckSetupCode tells whether given matches the set-up code, in constant
// time. Case, spaces and dashes do not matter, and the letters people
// confuse with digits (O, I, L) count as those digits.
func CheckSetupCode(db *gorm.DB, given string) (bool, error) {
	code, err := SetupCode(db)
	if err != nil {
		return false, err
	}
	want, got := normalizeSetupCode(code), normalizeSetupCode(given)
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1, nil
}

func loadSetupCode(db *gorm.DB) (string, error) {
	var s Setting
	if err := db.Where("key = ?", SettingSetupCode).Take(&s).Error; err != nil {
		return "", err
	}
	return s.Value, nil
}

// newSetupCode draws a code and groups it for reading: "7KQ2-M9XD-4HTB".
func newSetupCode() (string, error) {
	raw := make([]byte, setupCodeLength)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("models: set-up code: %w", err)
	}
	var b strings.Builder
	for i, r := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(setupCodeAlphabet[int(r)%len(setupCodeAlphabet)]) // 256 is a multiple of 32: no bias
	}
	return b.String(), nil
}

func normalizeSetupCode(s string) string {
	s = strings.ToUpper(s)
	s = strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1").Replace(s)
	return s
}
