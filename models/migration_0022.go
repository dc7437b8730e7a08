package models

import (
	"fmt"

	"gorm.io/gorm"
)

// migrate0022 adds deliveries.dispatched_at: set, a few requests at a
// time, just before a request without an idempotency key (Messenger,
// WhatsApp) is written. A claim whose worker died is then split: rows
// never dispatched go back to the queue, and only dispatched ones — the
// requests in flight at the crash — become uncertain.
func migrate0022(tx *gorm.DB) error {
	col := timestampColumn(tx)
	if err := tx.Exec("ALTER TABLE deliveries ADD COLUMN dispatched_at " + col).Error; err != nil {
		return fmt.Errorf("models: migrate 0022: %w", err)
	}
	return nil
}

// timestampColumn is the SQL type of a time column added by ALTER TABLE,
// as GORM creates them: timestamptz on PostgreSQL, a datetime on SQLite.
func timestampColumn(tx *gorm.DB) string {
	if IsPostgres(tx) {
		return "TIMESTAMPTZ"
	}
	return "TIMESTAMP"
}
