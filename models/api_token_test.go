package models_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestAPITokenLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		admin, err := models.CreateUser(db, models.NewUserInput{Email: "ann@example.com", Name: "Ann", Role: models.RoleAdmin, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		tok, secret, err := models.CreateAPIToken(db, "  CRM sync ", admin.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		// The secret: oc_ + 32 random bytes base64url; only its hash is stored.
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(secret, "oc_"))
		if !strings.HasPrefix(secret, "oc_") || err != nil || len(raw) != 32 {
			t.Fatalf("secret %q: %v", secret, err)
		}
		sum := sha256.Sum256([]byte(secret))
		var stored models.APIToken
		if err := db.First(&stored, tok.ID).Error; err != nil {
			t.Fatal(err)
		}
		if stored.Hash != hex.EncodeToString(sum[:]) || strings.Contains(stored.Hash, secret) || stored.Name != "CRM sync" || stored.Prefix != secret[:11] {
			t.Fatalf("stored %+v", stored)
		}
		var n int64
		db.Raw("SELECT COUNT(*) FROM api_tokens WHERE hash = ? OR prefix = ?", secret, secret).Scan(&n)
		if n != 0 {
			t.Fatal("the secret itself is stored")
		}

		// Authenticating records the use, at most once a minute.
		got, u, err := models.AuthenticateToken(db, secret, now)
		if err != nil || got.ID != tok.ID || u.ID != admin.ID {
			t.Fatalf("authenticate: %v %v %v", got, u, err)
		}
		lastUsed := func() time.Time {
			var tk models.APIToken
			db.First(&tk, tok.ID)
			if tk.LastUsedAt == nil {
				t.Fatal("last_used_at not set")
			}
			return tk.LastUsedAt.UTC()
		}
		if !lastUsed().Equal(now) {
			t.Fatalf("last used = %v", lastUsed())
		}
		if _, _, err := models.AuthenticateToken(db, secret, now.Add(59*time.Second)); err != nil {
			t.Fatal(err)
		}
		if !lastUsed().Equal(now) {
			t.Fatalf("touched within the minute: %v", lastUsed())
		}
		if _, _, err := models.AuthenticateToken(db, secret, now.Add(61*time.Second)); err != nil {
			t.Fatal(err)
		}
		if !lastUsed().Equal(now.Add(61 * time.Second)) {
			t.Fatalf("not touched after a minute: %v", lastUsed())
		}

		for _, bad := range []string{"", "oc_", secret + "x", strings.TrimPrefix(secret, "oc_"), strings.ToUpper(secret)} {
			if _, _, err := models.AuthenticateToken(db, bad, now); !errors.Is(err, models.ErrTokenInvalid) {
				t.Errorf("secret %q: err = %v", bad, err)
			}
		}

		// A deactivated owner's tokens stop working, and work again when
		// the owner is reactivated.
		m, err := models.CreateUser(db, models.NewUserInput{Email: "mei@example.com", Name: "Mei", Role: models.RoleMarketer, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		_, mSecret, err := models.CreateAPIToken(db, "mei", m.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := models.SetUserActive(db, m.ID, false, now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := models.AuthenticateToken(db, mSecret, now); !errors.Is(err, models.ErrTokenInvalid) {
			t.Fatalf("deactivated owner: %v", err)
		}
		if _, _, err := models.CreateAPIToken(db, "x", m.ID, now); !hasField(err, "user") {
			t.Fatalf("token for a deactivated user: %v", err)
		}

		// Revoked is revoked for good.
		if _, err := models.RevokeAPIToken(db, tok.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := models.AuthenticateToken(db, secret, now); !errors.Is(err, models.ErrTokenInvalid) {
			t.Fatalf("revoked token: %v", err)
		}
		if _, err := models.RevokeAPIToken(db, 9999, now); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("revoke unknown: %v", err)
		}
		rows, err := models.ListAPITokens(db)
		if err != nil || len(rows) != 2 || rows[0].Name != "mei" || rows[1].RevokedAt == nil || rows[1].UserEmail != "ann@example.com" {
			t.Fatalf("list: %+v %v", rows, err)
		}
	})
}

func TestAPITokenValidation(t *testing.T) {
	db := dbtest.SQLite(t)
	now := time.Now()
	u, err := models.CreateUser(db, models.NewUserInput{Email: "ann@example.com", Name: "Ann", Role: models.RoleAdmin, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		user  uint
		field string
	}{
		{"", u.ID, "name"},
		{"  \x00 ", u.ID, "name"},
		{strings.Repeat("名", 101), u.ID, "name"},
		{"ok", 999, "user"},
	} {
		if _, _, err := models.CreateAPIToken(db, c.name, c.user, now); !hasField(err, c.field) {
			t.Errorf("name %q user %d: err = %v, want field %s", c.name, c.user, err, c.field)
		}
	}
	if _, _, err := models.CreateAPIToken(db, strings.Repeat("名", 100), u.ID, now); err != nil {
		t.Fatalf("100 characters refused: %v", err)
	}
}

func hasField(err error, field string) bool {
	var fe models.FieldErrors
	return errors.As(err, &fe) && fe[field] != nil
}
