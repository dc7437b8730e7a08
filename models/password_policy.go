package models

import (
	_ "embed" // the common-password list
	"errors"
	"strings"
	"sync"
)

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 10

// Password policy errors carry a message id that the web layer translates.
var (
	ErrPasswordTooShort = errors.New("error.password_too_short")
	ErrPasswordBlank    = errors.New("error.password_blank")
	ErrPasswordIsEmail  = errors.New("error.password_is_email")
	ErrPasswordCommon   = errors.New("error.password_common")
)

// commonPasswordList is a published list of the most used passwords (see
// data/SOURCES.md for its origin and licence).
//
//go:embed data/common-passwords.txt
var commonPasswordList string

// commonPasswords is the list as a set of lower-cased entries, built on
// first use (it is only needed when a password is set) and read-only after.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, strings.Count(commonPasswordList, "\n")+1)
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	return set
})

// IsCommonPassword tells whether p (ignoring case and surrounding spaces) is
// on the embedded list of most used passwords.
func IsCommonPassword(p string) bool {
	_, ok := commonPasswords()[strings.ToLower(strings.TrimSpace(p))]
	return ok
}

// ValidatePassword enforces the password policy for the account with the
// given email: not blank, long enough, not the email itself and not one of
// the most used passwords.
func ValidatePassword(password, email string) error {
	trimmed := strings.TrimSpace(password)
	switch {
	case trimmed == "":
		return ErrPasswordBlank
	case len([]rune(password)) < MinPasswordLength:
		return ErrPasswordTooShort
	case email != "" && strings.EqualFold(trimmed, strings.TrimSpace(email)):
		return ErrPasswordIsEmail
	case IsCommonPassword(password):
		return ErrPasswordCommon
	}
	return nil
}
