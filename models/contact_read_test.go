package models_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// storeUnreadableTime writes into col of contact id a time that cannot be
// read back, as older versions stored it from a LINE timestamp of
// 253402300800000: on SQLite the text of year 10000, which no layout
// parses; on PostgreSQL the same instant, which no RFC 3339 or JSON
// writer can show.
func storeUnreadableTime(t *testing.T, db *gorm.DB, id uint64, col string) {
	t.Helper()
	value := "10000-01-01 00:00:00+00:00"
	if models.IsPostgres(db) {
		value = "10000-01-01 00:00:00+00"
	}
	if err := db.Exec("UPDATE contacts SET "+col+" = ? WHERE id = ?", value, id).Error; err != nil {
		t.Fatalf("store unreadable %s: %v", col, err)
	}
}

// seedMessages makes n contacts u1…un of ch, contact i last interacting at
// at(i); it returns their ids in that order.
func seedMessages(t *testing.T, db *gorm.DB, ch *models.Channel, n int) []uint64 {
	t.Helper()
	var ids []uint64
	for i := 1; i <= n; i++ {
		u := fmt.Sprintf("u%d", i)
		out := apply(t, db, ch, channels.Event{Kind: channels.EventMessage, UserID: u, Time: at(i), DedupeKey: u}, nil)
		ids = append(ids, out.ContactID)
	}
	return ids
}

// walkPages pages through the whole list by Next cursors (or, backward,
// from the last page by Prev ones), returning the ids shown in order and
// the rows skipped. It fails rather than loop for ever.
func walkPages(t *testing.T, db *gorm.DB, f models.ContactFilter, limit int, backward bool) (ids []uint64, skipped int) {
	t.Helper()
	after, before := "", ""
	if backward {
		// Find the last page first.
		for i := 0; ; i++ {
			p, err := models.ListContactPage(db, f, after, "", limit, at(1000))
			if err != nil {
				t.Fatal(err)
			}
			if p.Next == "" {
				before = p.Prev
				for _, c := range p.Contacts {
					ids = append(ids, c.ID)
				}
				skipped += p.Skipped
				break
			}
			after = p.Next
			if i > 100 {
				t.Fatal("paging forward never ends")
			}
		}
	}
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("paging never ends")
		}
		if backward && before == "" {
			return ids, skipped
		}
		p, err := models.ListContactPage(db, f, after, before, limit, at(1000))
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		var page []uint64
		for _, c := range p.Contacts {
			page = append(page, c.ID)
		}
		skipped += p.Skipped
		if backward {
			ids = append(page, ids...)
			before = p.Prev
			continue
		}
		ids = append(ids, page...)
		if p.Next == "" {
			return ids, skipped
		}
		after = p.Next
	}
}

func captureLog(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

func TestContactListSkipsUnreadableRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindMessenger)
		ids := seedMessages(t, db, ch, 7)
		storeUnreadableTime(t, db, ids[2], "last_interaction_at") // u3: the sort column
		storeUnreadableTime(t, db, ids[5], "created_at")          // u6: another column
		logs := captureLog(t)

		var readable []uint64 // newest interaction first
		for i := len(ids) - 1; i >= 0; i-- {
			if i != 2 && i != 5 {
				readable = append(readable, ids[i])
			}
		}
		f := models.ContactFilter{ChannelID: ch.ID}
		for _, limit := range []int{1, 2, 3, 50} {
			got, skipped := walkPages(t, db, f, limit, false)
			if !slices.Equal(got, readable) || skipped != 2 {
				t.Errorf("forward by %d: %v skipped %d, want %v skipped 2", limit, got, skipped, readable)
			}
			got, skipped = walkPages(t, db, f, limit, true)
			if !slices.Equal(got, readable) || skipped != 2 {
				t.Errorf("backward by %d: %v skipped %d, want %v", limit, got, skipped, readable)
			}
		}
		// Sorted by subscription time the unreadable u3 is readable there,
		// yet still left out: the row as a whole is not shown half-read.
		bySub, skipped := walkPages(t, db, models.ContactFilter{ChannelID: ch.ID, Sort: models.SortSubscription}, 2, false)
		if len(bySub) != 5 || skipped != 2 {
			t.Errorf("by subscription: %v skipped %d", bySub, skipped)
		}
		for _, id := range []uint64{ids[2], ids[5]} {
			if !strings.Contains(logs.String(), fmt.Sprintf("channel=%d contact=%d", ch.ID, id)) {
				t.Errorf("no log line names contact %d of channel %d:\n%s", id, ch.ID, logs)
			}
		}

		// The export carries every readable row.
		var csv bytes.Buffer
		n, err := models.ExportContacts(context.Background(), db, f, &csv, time.UTC, at(1000))
		if err != nil || n != 5 || strings.Count(csv.String(), "\r\n") != 6 {
			t.Fatalf("export: %d rows, %v:\n%s", n, err, csv.String())
		}
		if strings.Contains(csv.String(), "u3,") || !strings.Contains(csv.String(), "u7,") {
			t.Errorf("export rows: %s", csv.String())
		}

		// So does the command line's batch listing.
		var listed []string
		skipped = 0
		var after uint64
		for i := 0; i < 20; i++ {
			b, err := models.ListContactsWithTags(db, ch.ID, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range b.Contacts {
				listed = append(listed, c.ExternalID)
			}
			skipped += b.Skipped
			if b.Next == 0 {
				break
			}
			after = b.Next
		}
		if !slices.Equal(listed, []string{"u1", "u2", "u4", "u5", "u7"}) || skipped != 2 {
			t.Errorf("batch listing: %v skipped %d", listed, skipped)
		}

		if _, err := models.FindContact(db, ch.ID, "u3"); !errors.Is(err, models.ErrContactUnreadable) {
			t.Errorf("FindContact of an unreadable row: %v", err)
		}
	})
}

// A run of unreadable rows longer than a page still lets paging move on.
func TestContactListPagesPastARunOfUnreadableRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		ids := seedMessages(t, db, ch, 8)
		for _, id := range ids[1:6] {
			storeUnreadableTime(t, db, id, "last_interaction_at")
		}
		got, skipped := walkPages(t, db, models.ContactFilter{ChannelID: ch.ID}, 2, false)
		if !slices.Equal(got, []uint64{ids[7], ids[6], ids[0]}) || skipped != 5 {
			t.Fatalf("pages: %v skipped %d", got, skipped)
		}
		var csv bytes.Buffer
		if n, err := models.ExportContacts(context.Background(), db, models.ContactFilter{ChannelID: ch.ID}, &csv, time.UTC, at(1000)); err != nil || n != 3 {
			t.Fatalf("export: %d %v", n, err)
		}
	})
}

func TestWebhookEventRepairsUnreadableRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		ids := seedMessages(t, db, ch, 2)
		for _, col := range []string{"subscribed_at", "last_interaction_at", "updated_at"} {
			storeUnreadableTime(t, db, ids[0], col)
		}
		out, err := models.ApplyWebhookEvent(db, ch, channels.Event{Kind: channels.EventMessage, UserID: "u1", Time: at(50), DedupeKey: "again"}, nil, at(1000))
		if err != nil {
			t.Fatalf("event for a contact with an unreadable row: %v", err)
		}
		if out.ContactID != ids[0] || !slices.Equal(out.Repaired, []string{"subscribed_at", "last_interaction_at", "updated_at"}) {
			t.Fatalf("outcome: %+v", out)
		}
		c := contact(t, db, ch, "u1")
		if !c.LastInteractionAt.Equal(at(50)) || !c.SubscribedAt.Equal(at(50)) || !c.Subscribed {
			t.Fatalf("repaired contact: %+v", c)
		}
		if p, _ := models.ListContactPage(db, models.ContactFilter{ChannelID: ch.ID}, "", "", 50, at(1000)); len(p.Contacts) != 2 || p.Skipped != 0 {
			t.Fatalf("after the repair: %d shown, %d skipped", len(p.Contacts), p.Skipped)
		}

		// An unsubscribed contact whose unsubscription time is unreadable
		// follows again: the follow wins over the unknown time.
		apply(t, db, ch, channels.Event{Kind: channels.EventUnfollow, UserID: "u2", Time: at(60), DedupeKey: "bye"}, nil)
		storeUnreadableTime(t, db, ids[1], "unsubscribed_at")
		apply(t, db, ch, channels.Event{Kind: channels.EventFollow, UserID: "u2", Time: at(70), DedupeKey: "back"}, nil)
		if c := contact(t, db, ch, "u2"); !c.Subscribed || !c.SubscribedAt.Equal(at(70)) || c.UnsubscribedAt != nil {
			t.Fatalf("refollow over an unreadable unsubscription: %+v", c)
		}
	})
}
