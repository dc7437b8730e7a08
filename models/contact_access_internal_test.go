package models

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestAccessPathsAgree: on SQLite a page or a count reaches its rows either
// along the sort index (tags probed per row) or from a tag / name id list;
// which one is chosen by size must never change the answer. Every filter
// here is walked page by page, forward and back, both ways, and counted
// both ways.
func TestAccessPathsAgree(t *testing.T) {
	db, err := OpenSQLite(t.TempDir() + "/access.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Close(db) })
	if err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(3, 5))
	tags, err := EnsureTags(db, []string{"vip", "hk", "新客", "rare"})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"陳美玲", "Alice Chen", "王小明", "100% real", "under_score", "ALICE wang", "小明的朋友", "Ｗide", ""}
	for i := 0; i < 240; i++ {
		c := Contact{ChannelID: 1 + uint(i%7/6), ExternalID: fmt.Sprint("x", i), Name: names[r.IntN(len(names))], Subscribed: true}
		if r.IntN(5) != 0 {
			at := now.Add(-time.Duration(r.IntN(90*24)) * time.Hour)
			c.LastInteractionAt = &at
		}
		if r.IntN(4) != 0 {
			at := now.Add(-time.Duration(r.IntN(400)) * 24 * time.Hour)
			c.SubscribedAt = &at
		}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		if r.IntN(6) == 0 {
			if err := SetContactSubscribed(db, c.ChannelID, c.ID, false, now); err != nil {
				t.Fatal(err)
			}
		}
		var mine []Tag
		for j, tg := range tags {
			if (j < 3 && r.IntN(3) == 0) || (j == 3 && i%97 == 0) {
				mine = append(mine, tg)
			}
		}
		if err := TagContacts(db, []uint64{c.ID}, mine); err != nil {
			t.Fatal(err)
		}
	}
	multiPage := 0
	for _, query := range []string{
		"tags_any=vip", "tags_any=vip,hk&status=all", "tags_all=vip,新客", "tags_any=rare&sort=subscription",
		"tags_any=vip&tags_none=hk", "tags_all=hk&tags_none=rare,vip&status=unsubscribed", "tags_any=nope", "tags_all=vip,nope",
		"q=ali", "q=ALICE&status=all", "q=小明的", "q=100%25", "q=under_", "q=ｗide", "q=陳美玲&tags_any=vip",
		"tags_any=vip,hk&interacted_within=30d", "tags_any=hk&subscribed_from=2026-01-01&sort=subscription",
		"q=Chen&interacted_from=2026-10-01&interacted_to=2026-11-20", "tags_none=vip",
	} {
		v, _ := url.ParseQuery(query)
		v.Set("channel", "1")
		f, errs := ParseContactFilter(v, time.UTC)
		if errs != nil {
			t.Fatalf("%s: %v", query, errs)
		}
		c, err := f.resolve(db)
		if err != nil {
			t.Fatal(err)
		}
		ordered := walkAccess(t, db, c, now, accessOrdered)
		driven := walkAccess(t, db, c, now, accessDriven)
		if len(ordered) > 2*accessPage {
			multiPage++
		}
		if !reflect.DeepEqual(ordered, driven) {
			t.Errorf("%s: the two ways list different contacts:\nordered %v\ndriven  %v", query, ordered, driven)
		}
		var nOrdered, nDriven int64
		if err := c.where(db, now, accessOrdered).Count(&nOrdered).Error; err != nil {
			t.Fatal(err)
		}
		if err := c.where(db, now, accessDriven).Count(&nDriven).Error; err != nil {
			t.Fatal(err)
		}
		n, err := CountContacts(db, f, now)
		if err != nil || n != nOrdered || nDriven != nOrdered || n != int64(len(ordered)) {
			t.Errorf("%s: counts %d (CountContacts, %v), %d ordered, %d driven; %d listed", query, n, err, nOrdered, nDriven, len(ordered))
		}
	}
	if multiPage < 6 {
		t.Fatalf("only %d filters span several pages: the fixture tests too little", multiPage)
	}
}

// accessPage is the page size of walkAccess.
const accessPage = 7

// walkAccess lists every matching contact id by pages of 7 forward, then
// checks that walking back by Prev cursors gives the same pages.
func walkAccess(t *testing.T, db *gorm.DB, c contactConds, now time.Time, how access) []uint64 {
	t.Helper()
	var pages []ContactPage
	var cur *contactCursor
	for len(pages) < 200 {
		p, err := c.page(db, cur, false, accessPage, now, how)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		if p.Next == "" {
			break
		}
		next, err := decodeCursor(p.Next)
		if err != nil {
			t.Fatal(err)
		}
		cur = &next
	}
	var ids []uint64
	for _, p := range pages {
		for _, ct := range p.Contacts {
			ids = append(ids, ct.ID)
		}
	}
	for i := len(pages) - 1; i > 0; i-- {
		prev, err := decodeCursor(pages[i].Prev)
		if err != nil {
			t.Fatalf("page %d has no Prev cursor", i)
		}
		back, err := c.page(db, &prev, true, accessPage, now, how)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(pageIDs(back), pageIDs(pages[i-1])) {
			t.Fatalf("back from page %d: %v, forward it was %v", i, pageIDs(back), pageIDs(pages[i-1]))
		}
	}
	return ids
}

func pageIDs(p ContactPage) []uint64 {
	var out []uint64
	for _, c := range p.Contacts {
		out = append(out, c.ID)
	}
	return out
}
