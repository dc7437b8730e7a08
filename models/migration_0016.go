package models

import (
	"fmt"

	"gorm.io/gorm"
)

// migrate0016 lets a bulk import on SQLite keep the contact totals and the
// name index itself, a batch at a time, instead of through a trigger per
// row (an upsert of contact_counts and an FTS5 insert for each of 20,000
// rows: about a sixth of an import's CPU). The per-row insert triggers
// stand aside while bulk_write_guard holds a row. Only a bulk writer puts
// one there, inside its own write transaction, and takes it out again
// before committing: SQLite has a single writer, so no other writer ever
// sees it, and a failed batch rolls it back with everything else.
// PostgreSQL needs none of this: its count triggers run once per statement.
func migrate0016(tx *gorm.DB) error {
	if IsPostgres(tx) {
		return nil
	}
	for _, stmt := range sqlite0016() {
		if err := tx.Exec(stmt).Error; err != nil {
			return fmt.Errorf("models: migrate 0016: %w", err)
		}
	}
	return nil
}

// bulkGuardIdle is the WHEN condition of the guarded triggers.
const bulkGuardIdle = `NOT EXISTS (SELECT 1 FROM bulk_write_guard)`

func sqlite0016() []string {
	return []string{
		`CREATE TABLE bulk_write_guard (id INTEGER PRIMARY KEY)`,
		`DROP TRIGGER contact_counts_insert`,
		`CREATE TRIGGER contact_counts_insert AFTER INSERT ON contacts WHEN ` + bulkGuardIdle + ` BEGIN
  INSERT INTO contact_counts (channel_id, subscribed, unsubscribed, created_at)
    VALUES (NEW.channel_id, +(NEW.subscribed <> 0), +(NEW.subscribed = 0), CURRENT_TIMESTAMP)
    ON CONFLICT (channel_id) DO UPDATE SET subscribed = subscribed + excluded.subscribed, unsubscribed = unsubscribed + excluded.unsubscribed;
END`,
		`DROP TRIGGER contact_names_insert`,
		`CREATE TRIGGER contact_names_insert AFTER INSERT ON contacts WHEN NEW.name <> '' AND ` + bulkGuardIdle + ` BEGIN
  INSERT INTO contact_names (rowid, name) VALUES (NEW.id, NEW.name);
END`,
	}
}
