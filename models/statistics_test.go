package models

import "testing"

func TestRefreshStatisticsRuns(t *testing.T) {
	// Internal test package: open a database directly.
	db, err := OpenSQLite(t.TempDir() + "/s.db")
	if err != nil {
		t.Fatal(err)
	}
	defer Close(db)
	if err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	if err := RefreshStatistics(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("sqlite_stat1 missing after RefreshStatistics: n=%d err=%v", n, err)
	}
}
