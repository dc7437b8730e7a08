package models

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// MigrationsTable records which migrations ran.
const MigrationsTable = "schema_migrations"

// migrations is append-only: never edit or reorder a migration that has
// shipped; add a new one. Each migration declares the table shapes it needs
// as local structs, so later changes to the models cannot change history.
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{ID: "0001_users_settings_logins", Migrate: migrate0001},
		{ID: "0002_channels_contacts_tags_webhooks", Migrate: migrate0002},
		{ID: "0003_wa_templates", Migrate: migrate0003},
		{ID: "0004_audiences", Migrate: migrate0004},
		{ID: "0005_contact_filter_indexes", Migrate: migrate0005},
		{ID: "0006_user_session_epoch", Migrate: migrate0006},
		{ID: "0007_contact_counts", Migrate: migrate0007},
		{ID: "0008_contact_imports", Migrate: migrate0008},
		{ID: "0009_tag_name_key", Migrate: migrate0009},
		{ID: "0010_broadcasts", Migrate: migrate0010},
		{ID: "0011_api_tokens", Migrate: migrate0011},
		{ID: "0012_bot_modules_button_taps", Migrate: migrate0012},
		{ID: "0013_uploads", Migrate: migrate0013},
		{ID: "0014_channel_tag_lock", Migrate: migrate0014},
		{ID: "0016_bulk_write_guard", Migrate: migrate0016},
		{ID: "0017_rate_leases", Migrate: migrate0017},
		{ID: "0018_delivery_parts_sent", Migrate: migrate0018},
		{ID: "0019_receipts_taps_profiles_quotas", Migrate: migrate0019},
		{ID: "0021_deliveries_pending_batch_index", Migrate: migrate0021},
		{ID: "0022_delivery_dispatched_at", Migrate: migrate0022},
		{ID: "0023_deliveries_timeline_indexes", Migrate: migrate0023},
		{ID: "0024_deliveries_recipients_indexes", Migrate: migrate0024},
		{ID: "0025_unsubscribed_after_broadcast", Migrate: migrate0025},
		{ID: "0026_button_clicks", Migrate: migrate0026},
		{ID: "0027_delivery_batches", Migrate: migrate0027},
	}
}

func migrate0001(tx *gorm.DB) error {
	type User struct {
		ID            uint   `gorm:"primaryKey"`
		Email         string `gorm:"size:254;not null;uniqueIndex"`
		Name          string `gorm:"size:100;not null"`
		PasswordHash  string `gorm:"size:255;not null"`
		Role          string `gorm:"size:16;not null"`
		Locale        string `gorm:"size:16;not null;default:''"`
		Active        bool   `gorm:"not null;default:true"`
		CreatedAt     time.Time
		UpdatedAt     time.Time
		DeactivatedAt *time.Time
	}
	type Setting struct {
		Key       string `gorm:"primaryKey;size:64"`
		Value     string `gorm:"not null"`
		UpdatedAt time.Time
	}
	type LoginFailure struct {
		ID        uint      `gorm:"primaryKey"`
		Email     string    `gorm:"size:254;not null;index:idx_login_failures_lookup,priority:1"`
		IP        string    `gorm:"size:64;not null;index:idx_login_failures_lookup,priority:2"`
		CreatedAt time.Time `gorm:"not null;index:idx_login_failures_lookup,priority:3"`
	}
	return tx.AutoMigrate(&User{}, &Setting{}, &LoginFailure{})
}

// Migrate applies every pending migration, in order, each once. On
// PostgreSQL it holds an advisory lock meanwhile, so instances booting
// together take turns: the first migrates, the others then find nothing to do.
func Migrate(db *gorm.DB) error {
	if !IsPostgres(db) {
		// SQLite serves one instance; its immediate transactions and single
		// connection already serialise writers.
		return migrate(db)
	}
	// A session-level advisory lock belongs to one connection: pin one for
	// the lock, the migrations and the unlock.
	return db.Connection(func(conn *gorm.DB) (err error) {
		if err := conn.Exec("SELECT pg_advisory_lock(" + migrationLockKey + ")").Error; err != nil {
			return fmt.Errorf("models: migrate: take the migration lock: %w", err)
		}
		defer func() {
			if uerr := conn.Exec("SELECT pg_advisory_unlock(" + migrationLockKey + ")").Error; uerr != nil && err == nil {
				err = fmt.Errorf("models: migrate: release the migration lock: %w", uerr)
			}
		}()
		return migrate(conn)
	})
}

// migrationLockKey names the advisory lock per schema, so that databases
// sharing a server (or tests, each in its own schema) do not wait for each
// other.
const migrationLockKey = "hashtext('omnicast.migrate.' || current_schema())"

func migrate(db *gorm.DB) error {
	opts := *gormigrate.DefaultOptions
	opts.TableName = MigrationsTable
	opts.UseTransaction = true
	opts.ValidateUnknownMigrations = true // refuse to run an older binary on a newer schema
	m := gormigrate.New(db, &opts, migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("models: migrate: %w", err)
	}
	return nil
}

// AppliedMigrations lists the ids recorded as applied, in order.
func AppliedMigrations(db *gorm.DB) ([]string, error) {
	var ids []string
	if err := db.Table(MigrationsTable).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: list migrations: %w", err)
	}
	return ids, nil
}

func migrate0002(tx *gorm.DB) error {
	type Channel struct {
		ID                 uint    `gorm:"primaryKey"`
		Kind               string  `gorm:"size:16;not null;index"`
		Name               string  `gorm:"size:100;not null"`
		ExternalID         string  `gorm:"size:64;not null"`
		WABAID             string  `gorm:"column:waba_id;size:64;not null;default:''"`
		APIBaseURL         string  `gorm:"column:api_base_url;size:255;not null;default:''"`
		RateLimit          float64 `gorm:"not null;default:0"`
		VerifyToken        string  `gorm:"size:64;not null;default:''"`
		Credentials        []byte  `gorm:"not null"`
		TokenHint          string  `gorm:"size:8;not null;default:''"`
		SecretHint         string  `gorm:"size:8;not null;default:''"`
		TagBroadcastLocked bool    `gorm:"not null;default:false"`
		LockReason         string  `gorm:"size:255;not null;default:''"`
		CreatedAt          time.Time
		UpdatedAt          time.Time
	}
	type Contact struct {
		ID                uint64     `gorm:"primaryKey"`
		ChannelID         uint       `gorm:"not null;uniqueIndex:idx_contacts_channel_external,priority:1;index:idx_contacts_interaction,priority:1;index:idx_contacts_subscription,priority:1"`
		ExternalID        string     `gorm:"size:64;not null;uniqueIndex:idx_contacts_channel_external,priority:2"`
		Name              string     `gorm:"size:200;not null;default:''"`
		PictureURL        string     `gorm:"size:1000;not null;default:''"`
		Phone             string     `gorm:"size:32;not null;default:''"`
		Subscribed        bool       `gorm:"not null;default:true"`
		SubscribedAt      *time.Time `gorm:"index:idx_contacts_subscription,priority:2"`
		UnsubscribedAt    *time.Time
		LastInteractionAt *time.Time `gorm:"index:idx_contacts_interaction,priority:2"`
		CreatedAt         time.Time
		UpdatedAt         time.Time
	}
	type Tag struct {
		ID        uint   `gorm:"primaryKey"`
		Name      string `gorm:"size:100;not null;uniqueIndex"`
		CreatedAt time.Time
	}
	type ContactTag struct {
		ContactID uint64 `gorm:"primaryKey;autoIncrement:false"`
		TagID     uint   `gorm:"primaryKey;autoIncrement:false;index"`
	}
	type WebhookEvent struct {
		ID         uint64    `gorm:"primaryKey"`
		ChannelID  uint      `gorm:"not null;uniqueIndex:idx_webhook_events_key,priority:1"`
		DedupeKey  string    `gorm:"size:200;not null;uniqueIndex:idx_webhook_events_key,priority:2"`
		ReceivedAt time.Time `gorm:"not null;index"`
	}
	type ReceiptEvent struct {
		ID         uint64 `gorm:"primaryKey"`
		ChannelID  uint   `gorm:"not null;index:idx_receipt_events_pending,priority:1"`
		Kind       string `gorm:"size:16;not null"`
		UserID     string `gorm:"size:64;not null;default:''"`
		MessageID  string `gorm:"size:200;not null;default:'';index"`
		MessageIDs string `gorm:"not null;default:''"`
		Watermark  *time.Time
		Status     string    `gorm:"size:16;not null;default:''"`
		ErrorCode  int       `gorm:"not null;default:0"`
		ErrorTitle string    `gorm:"size:255;not null;default:''"`
		OccurredAt time.Time `gorm:"not null"`
		Applied    bool      `gorm:"not null;default:false;index:idx_receipt_events_pending,priority:2"`
		CreatedAt  time.Time
	}
	return tx.AutoMigrate(&Channel{}, &Contact{}, &Tag{}, &ContactTag{}, &WebhookEvent{}, &ReceiptEvent{})
}

func migrate0003(tx *gorm.DB) error {
	type WATemplate struct {
		ID         uint   `gorm:"primaryKey"`
		ChannelID  uint   `gorm:"not null;uniqueIndex:idx_wa_templates_key,priority:1"`
		Name       string `gorm:"size:512;not null;uniqueIndex:idx_wa_templates_key,priority:2"`
		Language   string `gorm:"size:16;not null;uniqueIndex:idx_wa_templates_key,priority:3"`
		ExternalID string `gorm:"size:64;not null;default:''"`
		Category   string `gorm:"size:32;not null;default:''"`
		Status     string `gorm:"size:32;not null;default:''"`
		Components string `gorm:"not null;default:'[]'"`
		SyncedAt   time.Time
	}
	return tx.Table("wa_templates").AutoMigrate(&WATemplate{})
}

func migrate0004(tx *gorm.DB) error {
	type Audience struct {
		ID          uint   `gorm:"primaryKey"`
		ChannelID   uint   `gorm:"not null;index"`
		Filter      string `gorm:"not null;default:''"`
		AllMatching bool   `gorm:"not null;default:false"`
		ContactIDs  string `gorm:"not null;default:'[]'"`
		Count       int64  `gorm:"not null"`
		CreatedBy   uint   `gorm:"not null"`
		CreatedAt   time.Time
	}
	return tx.AutoMigrate(&Audience{})
}

// migrate0005 shapes the contact indexes for the filter panel (measured in
// models/contacts_bench_test.go):
//   - the sort indexes carry id, the keyset tie-breaker, so a page is one
//     ordered index range with no sort step (SQLite's rowid already did
//     that; PostgreSQL needed it), and subscribed, so counting a time range
//     reads the index only;
//   - contact_tags gets (tag_id, contact_id), so "contacts with tag X" is
//     read from the index alone.
//
// The indexes they replace are dropped once the new ones exist.
func migrate0005(tx *gorm.DB) error {
	var stmts []string
	if tx.Dialector.Name() == "postgres" {
		stmts = []string{
			"CREATE INDEX IF NOT EXISTS idx_contacts_interaction_keyset ON contacts (channel_id, last_interaction_at, id) INCLUDE (subscribed)",
			"CREATE INDEX IF NOT EXISTS idx_contacts_subscription_keyset ON contacts (channel_id, subscribed_at, id) INCLUDE (subscribed)",
			"CREATE INDEX IF NOT EXISTS idx_contact_tags_tag_contact ON contact_tags (tag_id, contact_id)",
		}
	} else {
		stmts = []string{
			"CREATE INDEX IF NOT EXISTS idx_contacts_interaction_keyset ON contacts (channel_id, last_interaction_at, id, subscribed)",
			"CREATE INDEX IF NOT EXISTS idx_contacts_subscription_keyset ON contacts (channel_id, subscribed_at, id, subscribed)",
			"CREATE INDEX IF NOT EXISTS idx_contact_tags_tag_contact ON contact_tags (tag_id, contact_id)",
		}
	}
	stmts = append(stmts,
		"DROP INDEX IF EXISTS idx_contacts_interaction",
		"DROP INDEX IF EXISTS idx_contacts_subscription",
		"DROP INDEX IF EXISTS idx_contact_tags_tag_id",
	)
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("models: migrate 0005: %w", err)
		}
	}
	return nil
}

// migrate0009 makes tag names unique regardless of case and width, through
// a name_key column (the folded name) with a unique index, replacing the
// exact unique index on name. On the way:
//   - separators (, ， 、 ; ；), which tag boxes now split on, are replaced
//     in existing names by "·", so every tag can still be typed;
//   - tags whose names now fold to the same key are merged into the oldest
//     (lowest id), which keeps its spelling: the others' contacts get that
//     tag and the others are deleted. Saved filters naming any spelling
//     still match, as filters look tags up by key.
func migrate0009(tx *gorm.DB) error {
	type Tag struct {
		ID        uint   `gorm:"primaryKey"`
		Name      string `gorm:"size:100;not null"`
		NameKey   string `gorm:"size:400;not null;default:''"`
		CreatedAt time.Time
	}
	if err := tx.Migrator().AddColumn(&Tag{}, "NameKey"); err != nil {
		return fmt.Errorf("models: migrate 0009: add name_key: %w", err)
	}
	// The exact index goes first: a rewritten name may equal another's
	// until the two are merged below.
	if err := tx.Exec("DROP INDEX IF EXISTS idx_tags_name").Error; err != nil {
		return fmt.Errorf("models: migrate 0009: %w", err)
	}
	var tags []Tag
	if err := tx.Order("id").Find(&tags).Error; err != nil {
		return fmt.Errorf("models: migrate 0009: load tags: %w", err)
	}
	fold := func(s string) string { return cases.Fold().String(norm.NFKC.String(strings.TrimSpace(s))) }
	keeper := map[string]uint{}
	for _, t := range tags {
		name := strings.TrimSpace(strings.Map(func(r rune) rune {
			if strings.ContainsRune(",，、;；", r) {
				return '·'
			}
			return r
		}, t.Name))
		key := fold(name)
		if into, dup := keeper[key]; dup {
			if err := mergeTag0009(tx, t.ID, into); err != nil {
				return err
			}
			continue
		}
		keeper[key] = t.ID
		if err := tx.Model(&Tag{}).Where("id = ?", t.ID).Updates(map[string]any{"name": name, "name_key": key}).Error; err != nil {
			return fmt.Errorf("models: migrate 0009: key tag %d: %w", t.ID, err)
		}
	}
	if err := tx.Exec("CREATE UNIQUE INDEX idx_tags_name_key ON tags (name_key)").Error; err != nil {
		return fmt.Errorf("models: migrate 0009: %w", err)
	}
	return nil
}

// mergeTag0009 moves tag from's contacts onto tag into and deletes from.
func mergeTag0009(tx *gorm.DB, from, into uint) error {
	for _, stmt := range []string{
		// The WHERE clause also keeps SQLite's parser from reading ON CONFLICT as a join.
		"INSERT INTO contact_tags (contact_id, tag_id) SELECT contact_id, ? FROM contact_tags WHERE tag_id = ? ON CONFLICT DO NOTHING",
		"DELETE FROM contact_tags WHERE tag_id = ?",
		"DELETE FROM tags WHERE id = ?",
	} {
		args := []any{from}
		if strings.HasPrefix(stmt, "INSERT") {
			args = []any{into, from}
		}
		if err := tx.Exec(stmt, args...).Error; err != nil {
			return fmt.Errorf("models: migrate 0009: merge tag %d into %d: %w", from, into, err)
		}
	}
	return nil
}

// migrate0006 gives every user a session epoch, stored in their session
// cookies and compared on every request (see User.SessionEpoch).
func migrate0006(tx *gorm.DB) error {
	type User struct {
		SessionEpoch int64 `gorm:"not null;default:0"`
	}
	if tx.Migrator().HasColumn(&User{}, "SessionEpoch") {
		return nil
	}
	if err := tx.Migrator().AddColumn(&User{}, "SessionEpoch"); err != nil {
		return fmt.Errorf("models: migrate 0006: %w", err)
	}
	return nil
}

// migrate0008 moves CSV imports into the database, so that an import runs
// in the background on any instance and survives a restart as a record:
//   - contact_imports holds each import: account, user, file, state,
//     progress, counts, the rows that failed and the preview shown before it
//     ran; it is kept after the import as its history;
//   - contact_import_files holds the uploaded file (as UTF-8) until the
//     import ends, where every instance can read it;
//   - contacts.import_id names the import that created a contact (never one
//     that only updated it), so that undoing an import removes exactly
//     those. It has no index: every imported contact would pay for one,
//     and an undo (rare) walks the account's contacts once by id instead.
func migrate0008(tx *gorm.DB) error {
	type ContactImport struct {
		ID          uint64     `gorm:"primaryKey"`
		ChannelID   uint       `gorm:"not null;index:idx_contact_imports_channel,priority:1"`
		UserID      *uint      `gorm:""`
		FileName    string     `gorm:"size:255;not null;default:''"`
		Encoding    string     `gorm:"size:16;not null;default:''"`
		Timezone    string     `gorm:"size:64;not null;default:''"`
		Region      string     `gorm:"size:8;not null;default:''"`
		State       string     `gorm:"size:16;not null;index"`
		TotalRows   int        `gorm:"not null;default:0"`
		DoneRows    int        `gorm:"not null;default:0"`
		Created     int        `gorm:"not null;default:0"`
		Updated     int        `gorm:"not null;default:0"`
		Bad         int        `gorm:"not null;default:0"`
		BadRows     string     `gorm:"not null;default:'[]'"`
		Preview     string     `gorm:"not null;default:'{}'"`
		Error       string     `gorm:"size:500;not null;default:''"`
		ClaimedBy   string     `gorm:"size:100;not null;default:''"`
		HeartbeatAt *time.Time `gorm:""`
		Undone      int        `gorm:"not null;default:0"`
		CreatedAt   time.Time  `gorm:"not null;index:idx_contact_imports_channel,priority:2"`
		StartedAt   *time.Time
		FinishedAt  *time.Time
		UndoneAt    *time.Time
	}
	type ContactImportFile struct {
		ImportID uint64 `gorm:"primaryKey;autoIncrement:false"`
		Data     []byte `gorm:"not null"`
	}
	if err := tx.AutoMigrate(&ContactImport{}, &ContactImportFile{}); err != nil {
		return fmt.Errorf("models: migrate 0008: %w", err)
	}
	if err := tx.Exec("ALTER TABLE contacts ADD COLUMN import_id BIGINT").Error; err != nil {
		return fmt.Errorf("models: migrate 0008: %w", err)
	}
	return nil
}
