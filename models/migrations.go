package models

import (
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
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

// Migrate applies every pending migration, in order, each once.
func Migrate(db *gorm.DB) error {
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
