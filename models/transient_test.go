package models_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestIsTransientClassifiesMadeUpErrors(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("models: apply follow event on channel 1: %w", err) }
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection refused", wrap(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), true},
		{"connection reset", wrap(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), true},
		{"deadline", wrap(context.DeadlineExceeded), true},
		{"PostgreSQL shutting down", wrap(&pgconn.PgError{Code: "57P01"}), true},
		{"too many connections", wrap(&pgconn.PgError{Code: "53300"}), true},
		{"statement timeout", wrap(&pgconn.PgError{Code: "57014"}), true},
		{"deadlock", wrap(&pgconn.PgError{Code: "40P01"}), true},
		{"value too long", wrap(&pgconn.PgError{Code: "22001"}), false},
		{"NUL in text", wrap(&pgconn.PgError{Code: "22021"}), false},
		{"unique violation", wrap(&pgconn.PgError{Code: "23505"}), false},
		{"invalid event", wrap(models.ErrEventInvalid), false},
		{"not found", models.ErrNotFound, false},
		{"scan error", wrap(errors.New("sql: Scan error on column index 7")), false},
	} {
		if got := models.IsTransient(c.err); got != c.want {
			t.Errorf("%s: IsTransient(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

// TestIsTransientOnRealFailures provokes each failure from the drivers
// themselves.
func TestIsTransientOnRealFailures(t *testing.T) {
	t.Run("closed pool", func(t *testing.T) {
		dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
			if err := models.Close(db); err != nil {
				t.Fatal(err)
			}
			_, err := models.FindChannel(db, 1)
			if !models.IsTransient(err) {
				t.Fatalf("closed pool: %v is not transient", err)
			}
		})
	})
	t.Run("postgres connection refused", func(t *testing.T) {
		dbtest.RequirePostgresURL(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		_, err = models.OpenPostgres("postgres://postgres@" + addr + "/test?sslmode=disable&connect_timeout=2")
		if err == nil || !models.IsTransient(err) {
			t.Fatalf("refused connection: %v is not transient", err)
		}
	})
	t.Run("sqlite busy", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "busy.db")
		holder, err := models.OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		defer models.Close(holder)
		if err := holder.Exec("CREATE TABLE t (x INTEGER)").Error; err != nil {
			t.Fatal(err)
		}
		tx := holder.Begin() // an immediate transaction: holds the write lock
		if err := tx.Exec("INSERT INTO t VALUES (1)").Error; err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		// A second connection that does not wait for the lock.
		other, err := gorm.Open(sqlite.Open("file:"+path+"?_pragma=busy_timeout(0)"), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		defer models.Close(other)
		err = other.Exec("INSERT INTO t VALUES (2)").Error
		if err == nil || !models.IsTransient(err) {
			t.Fatalf("busy database: %v is not transient", err)
		}
	})
	t.Run("postgres value too long is not transient", func(t *testing.T) {
		db := dbtest.Postgres(t)
		err := db.Exec("INSERT INTO webhook_events (channel_id, dedupe_key, received_at) VALUES (1, repeat('k', 201), now())").Error
		if err == nil || models.IsTransient(err) {
			t.Fatalf("value too long: %v should be a lasting failure", err)
		}
	})
}
