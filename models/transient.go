package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	sqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQLite's primary result codes for a database held by another writer.
const (
	sqliteBusy   = 5 // SQLITE_BUSY
	sqliteLocked = 6 // SQLITE_LOCKED
)

// IsTransient tells whether err means the database could not do the work
// just now (unreachable, connection refused or reset, a timeout, the pool
// closed, SQLite busy or locked, PostgreSQL shutting down, out of
// connections, a deadlock or serialization failure), so that the same
// work may well succeed if tried again later. Webhook handlers answer such
// failures with a status that makes the platform redeliver; any other
// failure would fail again the same way.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range []error{
		driver.ErrBadConn, sql.ErrConnDone, context.DeadlineExceeded, io.ErrUnexpectedEOF, net.ErrClosed,
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, syscall.ETIMEDOUT,
		syscall.EHOSTUNREACH, syscall.ENETUNREACH,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return transientSQLState(pgErr.Code)
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() & 0xff { // the primary result code
		case sqliteBusy, sqliteLocked:
			return true
		}
		return false
	}
	// database/sql does not export the error of a closed pool.
	return strings.Contains(err.Error(), "sql: database is closed")
}

// transientSQLState: connection exceptions (08), insufficient resources
// (53: too many connections, disk full), the server shutting down or not
// accepting connections yet (57P01–57P03), a statement or lock timeout
// (57014, 55P03), and the conflicts that a retry resolves (40001, 40P01).
func transientSQLState(code string) bool {
	if strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") {
		return true
	}
	switch code {
	case "57P01", "57P02", "57P03", "57014", "55P03", "40001", "40P01":
		return true
	}
	return false
}
