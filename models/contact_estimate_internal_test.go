package models

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"
)

// estimatePostgres opens a migrated PostgreSQL schema for this package's
// own tests (dbtest imports models, so it cannot be used from here).
func estimatePostgres(t *testing.T) *gorm.DB {
	t.Helper()
	base := os.Getenv("OMNICAST_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("OMNICAST_TEST_DATABASE_URL is not set, and CI=true forbids skipping")
		}
		t.Skip("OMNICAST_TEST_DATABASE_URL not set: PostgreSQL estimate test skipped (CI=true would fail here)")
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := OpenPostgres(base)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// A session zone far from UTC: times must travel with their zone.
	q.Set("timezone", "Japan")
	u.RawQuery = q.Encode()
	db, err := OpenPostgres(u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = Close(db)
		_ = admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = Close(admin)
	})
	if err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestEstimateContacts checks the planner estimate shown when an exact
// count is too slow: it must describe the same filter, tags included, and
// bind times with their zone.
func TestEstimateContacts(t *testing.T) {
	db := estimatePostgres(t)
	now := time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)
	if err := db.Exec(`INSERT INTO tags (name, name_key, created_at) VALUES ('vip', 'vip', now()), ('other', 'other', now())`).Error; err != nil {
		t.Fatal(err)
	}
	// 4000 contacts: half interacted in the last 30 days; a quarter tagged vip.
	if err := db.Exec(`INSERT INTO contacts (channel_id, external_id, name, subscribed, subscribed_at, last_interaction_at, created_at, updated_at)
		SELECT 1, 'e' || i, 'n' || i, true, ?::timestamptz - i * interval '1 hour', ?::timestamptz - (i % 60) * interval '1 day', now(), now()
		FROM generate_series(1, 4000) AS i`, now, now).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO contact_tags (contact_id, tag_id) SELECT id, (SELECT id FROM tags WHERE name = 'vip') FROM contacts WHERE id % 4 = 0`).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("ANALYZE").Error; err != nil {
		t.Fatal(err)
	}
	within := 30 * 24 * time.Hour
	for _, tc := range []struct {
		name string
		f    ContactFilter
	}{
		{"all", ContactFilter{ChannelID: 1, Status: StatusSubscribed}},
		{"tags_any", ContactFilter{ChannelID: 1, Status: StatusSubscribed, TagsAny: []string{"vip"}}},
		{"tags_all", ContactFilter{ChannelID: 1, Status: StatusSubscribed, TagsAll: []string{"vip"}}},
		{"within", ContactFilter{ChannelID: 1, Status: StatusSubscribed, InteractedWithin: within}},
		{"tags and within", ContactFilter{ChannelID: 1, Status: StatusSubscribed, InteractedWithin: within, TagsAny: []string{"vip", "other"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exact, est, err := CountContacts(db, tc.f, now)
			if err != nil || est {
				t.Fatalf("exact count: %d %v %v", exact, est, err)
			}
			guess, err := estimateContacts(db, tc.f, now)
			if err != nil {
				t.Fatal(err)
			}
			if guess < exact/3 || guess > exact*3 {
				t.Fatalf("estimate %d, exact %d: not the same filter", guess, exact)
			}
		})
	}
}

// TestSampleContactsSQLite checks the SQLite estimate against the exact
// count on 40,000 contacts.
func TestSampleContactsSQLite(t *testing.T) {
	db, err := OpenSQLite(t.TempDir() + "/sample.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Close(db) })
	if err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)
	if err := db.Exec(`INSERT INTO tags (name, name_key, created_at) VALUES ('vip', 'vip', ?), ('other', 'other', ?)`, now, now).Error; err != nil {
		t.Fatal(err)
	}
	// Contacts of two channels, interleaved; times over 80 days; every
	// third contact tagged vip.
	err = db.Exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 40000)
		INSERT INTO contacts (channel_id, external_id, name, subscribed, last_interaction_at, created_at, updated_at)
		SELECT 1 + (i % 4 = 0), 'e' || i, 'n' || i, i % 10 != 0,
			strftime('%Y-%m-%d %H:%M:%S+00:00', '2026-11-25 04:00:00', '-' || (i * 7 % 80) || ' days'), ?, ? FROM s`, now, now).Error
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO contact_tags (contact_id, tag_id) SELECT id, 1 FROM contacts WHERE id % 3 = 0`).Error; err != nil {
		t.Fatal(err)
	}
	for _, f := range []ContactFilter{
		{ChannelID: 1, Status: StatusSubscribed},
		{ChannelID: 1, Status: StatusAll, TagsAny: []string{"vip"}},
		{ChannelID: 2, Status: StatusSubscribed, InteractedWithin: 30 * 24 * time.Hour, TagsAny: []string{"vip", "other"}},
		{ChannelID: 1, Status: StatusSubscribed, TagsAll: []string{"other"}},
	} {
		q, err := f.scope(db, now)
		if err != nil {
			t.Fatal(err)
		}
		var exact int64
		if err := q.Count(&exact).Error; err != nil {
			t.Fatal(err)
		}
		s, err := sampleContacts(db, f, now)
		if err != nil {
			t.Fatal(err)
		}
		if s.complete {
			t.Fatal("a sample of 40,000 contacts read them all")
		}
		guess := s.matches
		if d := guess - exact; d*100 > exact*15 || -d*100 > exact*15 {
			t.Errorf("%+v: estimate %d, exact %d (more than 15%% off)", f, guess, exact)
		}
	}
}
