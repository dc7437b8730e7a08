// Package dbtest gives tests a freshly migrated database of each kind:
// SQLite always, PostgreSQL whenever OMNICAST_TEST_DATABASE_URL is set. With
// CI=true a missing PostgreSQL fails the test instead of skipping it.
package dbtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
)

// PostgresURLEnv names the variable holding the test PostgreSQL URL.
const PostgresURLEnv = "OMNICAST_TEST_DATABASE_URL"

// Each runs fn once per database kind, as subtests "sqlite" and "postgres",
// each on a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *gorm.DB {
	t.Helper()
	db := SQLiteUnmigrated(t)
	if err := models.Migrate(db); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// SQLiteUnmigrated returns an empty SQLite database in a temporary directory.
func SQLiteUnmigrated(t testing.TB) *gorm.DB {
	t.Helper()
	db, err := models.OpenSQLite(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	return db
}

// Postgres returns a migrated PostgreSQL database living in its own schema,
// dropped when the test ends.
func Postgres(t testing.TB) *gorm.DB {
	t.Helper()
	db := PostgresUnmigrated(t)
	if err := models.Migrate(db); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return db
}

// RequirePostgresURL returns the test PostgreSQL URL, skipping the test when
// it is unset — or failing it when CI=true, where every test must run.
func RequirePostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set, and CI=true forbids skipping the PostgreSQL tests", PostgresURLEnv)
		}
		t.Skipf("%s not set: PostgreSQL tests skipped (CI=true would fail here)", PostgresURLEnv)
	}
	return base
}

// PostgresUnmigrated returns an empty schema of the test PostgreSQL database.
func PostgresUnmigrated(t testing.TB) *gorm.DB {
	t.Helper()
	base := RequirePostgresURL(t)
	schema := "t_" + randomHex(8)
	admin, err := models.OpenPostgres(base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	db, err := models.OpenPostgres(withSearchPath(t, base, schema))
	if err != nil {
		t.Fatalf("open postgres schema: %v", err)
	}
	t.Cleanup(func() {
		_ = models.Close(db)
		_ = admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = models.Close(admin)
	})
	return db
}

func withSearchPath(t testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("dbtest: random: %v", err))
	}
	return hex.EncodeToString(b)
}
