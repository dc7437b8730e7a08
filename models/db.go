// Package models holds omnicast's data: GORM models, the database opener,
// versioned migrations and the domain rules that live next to the data.
package models

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DBConfig says which database to open.
type DBConfig struct {
	// URL is a postgres:// (or postgresql://) URL; empty means the embedded SQLite default.
	URL string
	// DataDir holds the SQLite file when URL is empty.
	DataDir string
}

// SQLiteFile is the name of the embedded database inside the data dir.
const SQLiteFile = "omnicast.db"

// Open connects to the configured database. It does not migrate.
func Open(cfg DBConfig) (*gorm.DB, error) {
	if cfg.URL == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("models: create data dir %q: %w", cfg.DataDir, err)
		}
		return OpenSQLite(filepath.Join(cfg.DataDir, SQLiteFile))
	}
	if !strings.HasPrefix(cfg.URL, "postgres://") && !strings.HasPrefix(cfg.URL, "postgresql://") {
		return nil, fmt.Errorf("models: database URL must start with postgres:// (got scheme %q)", schemeOf(cfg.URL))
	}
	return OpenPostgres(cfg.URL)
}

func schemeOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	return u.Scheme
}

func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:  logger.Discard,
		NowFunc: func() time.Time { return time.Now().UTC() },
	}
}

// OpenSQLite opens (creating if needed) a SQLite file with WAL, a busy
// timeout and immediate transactions. SQLite allows one writer at a time, so
// the pool holds a single connection: writers queue in Go instead of failing
// with SQLITE_BUSY.
func OpenSQLite(path string) (*gorm.DB, error) {
	q := sqlitePragmas()
	q.Set("_txlock", "immediate")
	return openSQLitePool(path, q, 1)
}

// sqliteReaders is the size of SQLite's read pool.
const sqliteReaders = 2

// OpenReadPool returns the pool for long reads (exact counts) next to db:
// on SQLite a few read-only connections to the same file, which WAL lets
// read while the single writer connection writes, so a count taking a
// second holds up neither the list nor a webhook; on PostgreSQL db itself,
// whose pool serves reads side by side already.
func OpenReadPool(cfg DBConfig, db *gorm.DB) (*gorm.DB, error) {
	if cfg.URL != "" {
		return db, nil
	}
	q := sqlitePragmas()
	q.Add("_pragma", "query_only(1)")
	return openSQLitePool(filepath.Join(cfg.DataDir, SQLiteFile), q, sqliteReaders)
}

func sqlitePragmas() url.Values {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// 64 MiB of page cache (the default is 2 MiB): deep pages of a large
	// contact list stay as fast as the first one.
	q.Add("_pragma", "cache_size(-65536)")
	// Reads through a memory map: the pure-Go SQLite then reads pages
	// without copying them through its cache, which makes a scan of a
	// million contacts about three times faster (measured: 5 s -> 1.7 s
	// for a name search without the trigram index).
	q.Add("_pragma", "mmap_size(2147418112)")
	return q
}

func openSQLitePool(path string, q url.Values, conns int) (*gorm.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := gorm.Open(sqlite.Open(dsn), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("models: open sqlite %q: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("models: sqlite pool: %w", err)
	}
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	sqlDB.SetConnMaxLifetime(0)
	return db, nil
}

// OpenPostgres opens a PostgreSQL database through pgx.
func OpenPostgres(dsn string) (*gorm.DB, error) {
	db, err := gorm.Open(postgres.Open(dsn), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("models: open postgres: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("models: postgres pool: %w", err)
	}
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(10)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// IsPostgres tells whether db talks to PostgreSQL.
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// Close releases the pool behind db.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("models: close: %w", err)
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func Ping(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("models: ping: %w", err)
	}
	if err := sqlDB.Ping(); err != nil {
		return fmt.Errorf("models: ping: %w", err)
	}
	return nil
}
