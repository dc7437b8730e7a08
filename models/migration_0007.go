package models

import (
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
)

// migrate0007 makes counts exact and fast at a million contacts (measured
// with the user-path harness in cmd/omnicast/userpath_test.go):
//
//   - contact_counts holds each channel's subscribed / unsubscribed totals,
//     kept right by triggers on contacts, so no writer (webhooks, imports,
//     unsubscribes, deletes, and whatever is written later) can forget it.
//     PostgreSQL appends one delta row per statement and channel (statement
//     triggers over transition tables: concurrent writers never wait on a
//     shared counter row) and readers fold the deltas now and then; SQLite,
//     which has one writer, keeps one row per channel up to date.
//   - name search gets a trigram index: pg_trgm (GIN) on PostgreSQL, an FTS5
//     trigram table kept by triggers on SQLite. A rare name is then found
//     without reading every contact.
//   - audiences remember the time zone their filter was read in.
func migrate0007(tx *gorm.DB) error {
	type ContactCount struct {
		ID           uint64 `gorm:"primaryKey"`
		ChannelID    uint   `gorm:"not null;index"`
		Subscribed   int64  `gorm:"not null;default:0"`
		Unsubscribed int64  `gorm:"not null;default:0"`
		CreatedAt    time.Time
	}
	if err := tx.AutoMigrate(&ContactCount{}); err != nil {
		return fmt.Errorf("models: migrate 0007: %w", err)
	}
	type Audience struct {
		Timezone string `gorm:"size:64;not null;default:''"`
	}
	if err := tx.Table("audiences").Migrator().AddColumn(&Audience{}, "Timezone"); err != nil {
		return fmt.Errorf("models: migrate 0007: %w", err)
	}
	stmts := sqlite0007()
	if tx.Dialector.Name() == "postgres" {
		stmts = postgres0007()
	}
	// The triggers exist before the totals are counted: on PostgreSQL
	// creating them locks writers out until this transaction commits, so
	// no contact is missed or counted twice.
	stmts = append(stmts, `INSERT INTO contact_counts (channel_id, subscribed, unsubscribed, created_at)
 SELECT channel_id, SUM(CASE WHEN subscribed THEN 1 ELSE 0 END), SUM(CASE WHEN subscribed THEN 0 ELSE 1 END), CURRENT_TIMESTAMP
 FROM contacts GROUP BY channel_id`)
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("models: migrate 0007: %w", err)
		}
	}
	if tx.Dialector.Name() == "postgres" {
		return trigramIndexPostgres(tx)
	}
	return nil
}

func sqlite0007() []string {
	// One row per channel (SQLite has a single writer, so no one waits on
	// it), upserted by one statement per changed contact.
	upsert := func(row, sign string) string {
		return `INSERT INTO contact_counts (channel_id, subscribed, unsubscribed, created_at)
    VALUES (` + row + `.channel_id, ` + sign + `(` + row + `.subscribed <> 0), ` + sign + `(` + row + `.subscribed = 0), CURRENT_TIMESTAMP)
    ON CONFLICT (channel_id) DO UPDATE SET subscribed = subscribed + excluded.subscribed, unsubscribed = unsubscribed + excluded.unsubscribed;`
	}
	return []string{
		`CREATE UNIQUE INDEX idx_contact_counts_channel ON contact_counts (channel_id)`,
		`CREATE TRIGGER contact_counts_insert AFTER INSERT ON contacts BEGIN
  ` + upsert("NEW", "+") + `
END`,
		`CREATE TRIGGER contact_counts_delete AFTER DELETE ON contacts BEGIN
  ` + upsert("OLD", "-") + `
END`,
		`CREATE TRIGGER contact_counts_update AFTER UPDATE OF subscribed, channel_id ON contacts
 WHEN OLD.subscribed IS NOT NEW.subscribed OR OLD.channel_id IS NOT NEW.channel_id BEGIN
  ` + upsert("OLD", "-") + `
  ` + upsert("NEW", "+") + `
END`,
		// The name index: an external-content FTS5 table (the names stay in
		// contacts) of trigrams, case-folded like LIKE.
		`CREATE VIRTUAL TABLE contact_names USING fts5(name, content='contacts', content_rowid='id', tokenize='trigram case_sensitive 0')`,
		`CREATE TRIGGER contact_names_insert AFTER INSERT ON contacts WHEN NEW.name <> '' BEGIN
  INSERT INTO contact_names (rowid, name) VALUES (NEW.id, NEW.name);
END`,
		`CREATE TRIGGER contact_names_delete AFTER DELETE ON contacts WHEN OLD.name <> '' BEGIN
  INSERT INTO contact_names (contact_names, rowid, name) VALUES ('delete', OLD.id, OLD.name);
END`,
		`CREATE TRIGGER contact_names_update AFTER UPDATE OF name ON contacts WHEN OLD.name IS NOT NEW.name BEGIN
  INSERT INTO contact_names (contact_names, rowid, name) SELECT 'delete', OLD.id, OLD.name WHERE OLD.name <> '';
  INSERT INTO contact_names (rowid, name) SELECT NEW.id, NEW.name WHERE NEW.name <> '';
END`,
		`INSERT INTO contact_names (rowid, name) SELECT id, name FROM contacts WHERE name <> ''`,
	}
}

func postgres0007() []string {
	return []string{
		`CREATE FUNCTION contact_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO contact_counts (channel_id, subscribed, unsubscribed, created_at)
  SELECT channel_id, count(*) FILTER (WHERE subscribed), count(*) FILTER (WHERE NOT subscribed), now()
  FROM new_rows GROUP BY channel_id;
  RETURN NULL;
END $$`,
		`CREATE FUNCTION contact_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO contact_counts (channel_id, subscribed, unsubscribed, created_at)
  SELECT channel_id, -count(*) FILTER (WHERE subscribed), -count(*) FILTER (WHERE NOT subscribed), now()
  FROM old_rows GROUP BY channel_id;
  RETURN NULL;
END $$`,
		`CREATE FUNCTION contact_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO contact_counts (channel_id, subscribed, unsubscribed, created_at)
  SELECT channel_id, sum(s), sum(u), now() FROM (
    SELECT o.channel_id, -(o.subscribed::int) AS s, -((NOT o.subscribed)::int) AS u
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE o.subscribed IS DISTINCT FROM n.subscribed OR o.channel_id IS DISTINCT FROM n.channel_id
    UNION ALL
    SELECT n.channel_id, n.subscribed::int, (NOT n.subscribed)::int
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE o.subscribed IS DISTINCT FROM n.subscribed OR o.channel_id IS DISTINCT FROM n.channel_id
  ) d GROUP BY channel_id HAVING sum(s) <> 0 OR sum(u) <> 0;
  RETURN NULL;
END $$`,
		`CREATE TRIGGER contact_counts_insert AFTER INSERT ON contacts REFERENCING NEW TABLE AS new_rows
 FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_insert()`,
		`CREATE TRIGGER contact_counts_delete AFTER DELETE ON contacts REFERENCING OLD TABLE AS old_rows
 FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_delete()`,
		`CREATE TRIGGER contact_counts_update AFTER UPDATE ON contacts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
 FOR EACH STATEMENT EXECUTE FUNCTION contact_counts_update()`,
	}
}

// trigramIndexPostgres indexes contact names by trigrams with pg_trgm (a
// contrib extension, trusted since PostgreSQL 13: a database owner may
// install it). Where the extension cannot be installed, name search still
// works, reading every contact: the migration logs it and goes on.
func trigramIndexPostgres(tx *gorm.DB) error {
	if err := tx.SavePoint("pg_trgm").Error; err != nil {
		return fmt.Errorf("models: migrate 0007: %w", err)
	}
	var schema string
	err := tx.Raw(`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`).Scan(&schema).Error
	if err == nil && schema == "" {
		// In "public", not the first schema of the search path: dropping
		// that schema must not take the extension from everyone else.
		err = tx.Exec("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public").Error
		schema = "public"
	}
	if err == nil {
		err = tx.Exec(`CREATE INDEX IF NOT EXISTS idx_contacts_name_trgm ON contacts USING gin (name ` + quoteIdent(schema) + `.gin_trgm_ops)`).Error
	}
	if err != nil {
		slog.Warn("pg_trgm unavailable: name search will read every contact", "err", err)
		if rerr := tx.RollbackTo("pg_trgm").Error; rerr != nil {
			return fmt.Errorf("models: migrate 0007: %w", rerr)
		}
	}
	return nil
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string {
	out := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}
