package models_test

import (
	"os"
	"reflect"
	"sort"
	"sync"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestMigrationsFreshAndIdempotent(t *testing.T) {
	each(t, func(t *testing.T, db *gorm.DB) {
		if err := models.Migrate(db); err != nil {
			t.Fatalf("fresh migrate: %v", err)
		}
		ids, err := models.AppliedMigrations(db)
		if err != nil || len(ids) == 0 {
			t.Fatalf("applied = %v, %v", ids, err)
		}
		for _, table := range []string{"users", "settings", "login_failures", models.MigrationsTable} {
			if !db.Migrator().HasTable(table) {
				t.Errorf("table %s missing after migrate", table)
			}
		}
		before := schemaSnapshot(t, db)
		if err := models.Migrate(db); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		again, _ := models.AppliedMigrations(db)
		if !reflect.DeepEqual(ids, again) {
			t.Fatalf("second migrate changed the record: %v -> %v", ids, again)
		}
		if after := schemaSnapshot(t, db); !reflect.DeepEqual(before, after) {
			t.Fatalf("second migrate changed the schema:\n%v\n%v", before, after)
		}
	})
}

// each runs fn on an empty (unmigrated) database of each kind.
func each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, dbtest.SQLiteUnmigrated(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, dbtest.PostgresUnmigrated(t)) })
}

// schemaSnapshot lists every table with its columns and indexes.
func schemaSnapshot(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	virtual := map[string]bool{}
	if !models.IsPostgres(db) {
		// GORM cannot read the columns of a virtual table (FTS5): list it by name.
		var names []string
		if err := db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'").Scan(&names).Error; err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			virtual[n] = true
			out = append(out, n+" (virtual)")
		}
	}
	for _, tbl := range tables {
		if virtual[tbl] {
			continue
		}
		cols, err := db.Migrator().ColumnTypes(tbl)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			typ, _ := c.ColumnType()
			out = append(out, tbl+"."+c.Name()+" "+typ)
		}
		idx, err := db.Migrator().GetIndexes(tbl)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range idx {
			out = append(out, tbl+" index "+i.Name())
		}
	}
	sort.Strings(out)
	return out
}

func TestOpenSQLiteWithUnusualPath(t *testing.T) {
	dir := t.TempDir() + "/100% data?#"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := models.Open(models.DBConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	if err := models.Migrate(db); err != nil {
		t.Fatalf("migrate in %q: %v", dir, err)
	}
	if _, err := os.Stat(dir + "/" + models.SQLiteFile); err != nil {
		t.Fatalf("database not where asked: %v", err)
	}
}

// TestConcurrentMigrationsRunOnce: two instances booting together on one
// fresh PostgreSQL schema both start, and every migration runs once.
func TestConcurrentMigrationsRunOnce(t *testing.T) {
	for round := 0; round < 3; round++ {
		a := dbtest.PostgresUnmigrated(t)
		// A second pool on the same schema: another instance.
		b, err := models.OpenPostgres(a.Dialector.(*postgres.Dialector).Config.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = models.Close(b) })
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i, db := range []*gorm.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = models.Migrate(db)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: instance %d failed to migrate: %v", round, i+1, err)
			}
		}
		var rows []struct {
			ID string
			N  int
		}
		if err := a.Raw("SELECT id, count(*) AS n FROM " + models.MigrationsTable + " GROUP BY id").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Fatal("no migration recorded")
		}
		for _, r := range rows {
			if r.N != 1 {
				t.Fatalf("migration %s recorded %d times", r.ID, r.N)
			}
		}
	}
}
