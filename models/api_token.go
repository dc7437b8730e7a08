package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// APIToken lets a program call the JSON API on behalf of its owner. Only
// the SHA-256 of the secret is stored: the secret is shown once, when the
// token is created, and cannot be read back.
type APIToken struct {
	ID   uint   `gorm:"primaryKey"`
	Name string `gorm:"size:100;not null"`
	// Hash is the hex SHA-256 of the whole secret ("oc_…").
	Hash string `gorm:"size:64;not null;uniqueIndex"`
	// Prefix is the start of the secret, for telling tokens apart in lists.
	Prefix string `gorm:"size:16;not null"`
	// UserID is whom the token acts for; CreatedBy who made it (nil: the
	// command line).
	UserID     uint  `gorm:"not null;index"`
	CreatedBy  *uint `gorm:""`
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// TableName keeps GORM from naming the table "api_tokens" differently by version.
func (APIToken) TableName() string { return "api_tokens" }

// APITokenNameMaxRunes is the longest token name.
const APITokenNameMaxRunes = 100

// Token secrets are "oc_" and 32 random bytes, base64url without padding.
const (
	apiTokenScheme      = "oc_"
	apiTokenRandomBytes = 32
	apiTokenPrefixLen   = len(apiTokenScheme) + 8
	// apiTokenTouchEvery is how stale last_used_at may get: a busy client
	// does not write a row on every request.
	apiTokenTouchEvery = time.Minute
)

// Token errors carry message ids.
var (
	ErrTokenNameRequired = errors.New("api.error.token_name_required")
	ErrTokenNameTooLong  = errors.New("api.error.token_name_too_long")
	ErrTokenUserInvalid  = errors.New("api.error.token_user_invalid")
	// ErrTokenInvalid is any secret that does not authenticate: unknown,
	// revoked, malformed, or owned by a deactivated user. Callers do not
	// learn which.
	ErrTokenInvalid = errors.New("api.error.invalid_token")
)

// CreateAPIToken creates a token acting for userID (who must be active)
// and returns it with its secret, which is never stored nor shown again.
func CreateAPIToken(db *gorm.DB, name string, userID uint, now time.Time) (*APIToken, string, error) {
	return CreateAPITokenBy(db, name, userID, nil, now)
}

// CreateAPITokenBy is CreateAPIToken recording who created it.
func CreateAPITokenBy(db *gorm.DB, name string, userID uint, by *uint, now time.Time) (*APIToken, string, error) {
	name = strings.TrimSpace(CleanText(name, 0))
	errs := FieldErrors{}
	switch {
	case name == "":
		errs["name"] = ErrTokenNameRequired
	case utf8.RuneCountInString(name) > APITokenNameMaxRunes:
		errs["name"] = ErrTokenNameTooLong
	}
	u, err := FindUser(db, userID)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && !u.Active):
		errs["user"] = ErrTokenUserInvalid
	case err != nil:
		return nil, "", err
	}
	if len(errs) > 0 {
		return nil, "", errs
	}
	secret, err := newTokenSecret()
	if err != nil {
		return nil, "", err
	}
	tok := &APIToken{
		Name: name, Hash: hashTokenSecret(secret), Prefix: secret[:apiTokenPrefixLen],
		UserID: userID, CreatedBy: by, CreatedAt: now.UTC(),
	}
	if err := db.Create(tok).Error; err != nil {
		return nil, "", fmt.Errorf("models: create api token: %w", err)
	}
	return tok, secret, nil
}

func newTokenSecret() (string, error) {
	b := make([]byte, apiTokenRandomBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("models: token secret: %w", err)
	}
	return apiTokenScheme + base64.RawURLEncoding.EncodeToString(b), nil
}

func hashTokenSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// AuthenticateToken finds the live token of a secret and its active
// owner. It records the use, at most once a minute per token.
func AuthenticateToken(db *gorm.DB, secret string, now time.Time) (*APIToken, *User, error) {
	if !strings.HasPrefix(secret, apiTokenScheme) || len(secret) > 200 {
		return nil, nil, ErrTokenInvalid
	}
	var tok APIToken
	err := db.Where("hash = ? AND revoked_at IS NULL", hashTokenSecret(secret)).Take(&tok).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, fmt.Errorf("models: find api token: %w", err)
	}
	u, err := FindUser(db, tok.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && !u.Active) {
		return nil, nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	if err := touchToken(db, &tok, now); err != nil {
		return nil, nil, err
	}
	return &tok, u, nil
}

// touchToken sets last_used_at unless it was set less than a minute ago.
// The condition is in the UPDATE, so concurrent requests write once.
func touchToken(db *gorm.DB, tok *APIToken, now time.Time) error {
	now = now.UTC()
	if tok.LastUsedAt != nil && now.Sub(*tok.LastUsedAt) < apiTokenTouchEvery {
		return nil
	}
	err := db.Model(&APIToken{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", tok.ID, now.Add(-apiTokenTouchEvery)).
		Update("last_used_at", now).Error
	if err != nil {
		return fmt.Errorf("models: touch api token %d: %w", tok.ID, err)
	}
	tok.LastUsedAt = &now
	return nil
}

// APITokenRow is a token as lists show it, with its owner.
type APITokenRow struct {
	APIToken
	UserEmail string
	UserName  string
}

// ListAPITokens lists every token, live ones first, newest first.
func ListAPITokens(db *gorm.DB) ([]APITokenRow, error) {
	var rows []APITokenRow
	err := db.Table("api_tokens").
		Select("api_tokens.*, users.email AS user_email, users.name AS user_name").
		Joins("LEFT JOIN users ON users.id = api_tokens.user_id").
		Order("CASE WHEN api_tokens.revoked_at IS NULL THEN 0 ELSE 1 END, api_tokens.id DESC").
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: list api tokens: %w", err)
	}
	return rows, nil
}

// RevokeAPIToken ends a token for good; revoking a revoked token is a
// no-op. An unknown id is ErrNotFound.
func RevokeAPIToken(db *gorm.DB, id uint, now time.Time) (*APIToken, error) {
	var tok APIToken
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&tok, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return fmt.Errorf("models: find api token %d: %w", id, err)
		}
		if tok.RevokedAt != nil {
			return nil
		}
		at := now.UTC()
		if err := tx.Model(&tok).Update("revoked_at", at).Error; err != nil {
			return fmt.Errorf("models: revoke api token %d: %w", id, err)
		}
		tok.RevokedAt = &at
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &tok, nil
}
