package models

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// MigrateBefore applies the migrations that come before id, so tests can
// put data in the shape an upgrade meets.
func MigrateBefore(db *gorm.DB, id string) error {
	list := migrations()
	for i, m := range list {
		if m.ID != id {
			continue
		}
		if i == 0 {
			return nil
		}
		opts := *gormigrate.DefaultOptions
		opts.TableName = MigrationsTable
		opts.UseTransaction = true
		return gormigrate.New(db, &opts, list).MigrateTo(list[i-1].ID)
	}
	return fmt.Errorf("no migration %s", id)
}
