package models_test

import (
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// pagingFixture makes n contacts with ties, sub-second times and missing
// (NULL) times in both sort columns, so pages cross every kind of boundary.
func pagingFixture(n int) []seedContact {
	r := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tags := []string{"vip", "buyer", "新客"}
	var out []seedContact
	for i := 0; i < n; i++ {
		s := seedContact{name: "P" + strconv.Itoa(i), subscribed: r.IntN(5) != 0}
		switch r.IntN(6) {
		case 0: // no interaction yet
		case 1: // ties on a whole second
			s.lastAt = tp(base.Add(time.Duration(r.IntN(3)) * time.Hour))
		case 2: // sub-second parts (microseconds: both databases keep them)
			s.lastAt = tp(base.Add(time.Duration(r.IntN(4))*time.Second + time.Duration(r.IntN(3))*250*time.Millisecond + time.Duration(r.IntN(2))*time.Microsecond))
		default:
			s.lastAt = tp(base.Add(-time.Duration(r.IntN(500*24)) * time.Hour))
		}
		if r.IntN(5) != 0 {
			s.subAt = tp(base.Add(-time.Duration(r.IntN(4)) * 24 * time.Hour)) // many ties
		}
		for _, tg := range tags {
			if r.IntN(2) == 0 {
				s.tags = append(s.tags, tg)
			}
		}
		out = append(out, s)
	}
	return out
}

// expectedOrder is the display order: timed rows newest first (id breaks
// ties, higher first), then untimed rows by id, higher first.
func expectedOrder(all map[string]models.Contact, seeds []seedContact, keep func(seedContact) bool, sortBy string) []string {
	type row struct {
		name string
		t    *time.Time
		id   uint64
	}
	var rows []row
	for _, s := range seeds {
		if !keep(s) {
			continue
		}
		t := s.lastAt
		if sortBy == models.SortSubscription {
			t = s.subAt
		}
		rows = append(rows, row{s.name, t, all[s.name].ID})
	}
	slices.SortFunc(rows, func(a, b row) int {
		switch {
		case a.t != nil && b.t == nil:
			return -1
		case a.t == nil && b.t != nil:
			return 1
		case a.t != nil && !a.t.Equal(*b.t):
			return b.t.Compare(*a.t)
		}
		return -cmpUint(a.id, b.id)
	})
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.name
	}
	return out
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestContactKeysetPagination(t *testing.T) {
	seeds := pagingFixture(47)
	has := func(s seedContact, tag string) bool { return slices.Contains(s.tags, tag) }
	filters := []struct {
		query string
		keep  func(seedContact) bool
	}{
		{"status=all", func(seedContact) bool { return true }},
		{"", func(s seedContact) bool { return s.subscribed }},
		{"status=unsubscribed", func(s seedContact) bool { return !s.subscribed }},
		{"tags_any=vip,新客", func(s seedContact) bool { return s.subscribed && (has(s, "vip") || has(s, "新客")) }},
		{"tags_all=vip,buyer&status=all", func(s seedContact) bool { return has(s, "vip") && has(s, "buyer") }},
		{"tags_none=buyer&status=all", func(s seedContact) bool { return !has(s, "buyer") }},
		{"q=p1&status=all", func(s seedContact) bool { return len(s.name) >= 2 && s.name[:2] == "P1" }},
		{"q=nobody", func(seedContact) bool { return false }},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		all := seedContacts(t, db, ch.ID, seeds)
		byID := map[uint64]string{}
		for n, c := range all {
			byID[c.ID] = n
		}
		for _, fc := range filters {
			for _, sortBy := range []string{models.SortInteraction, models.SortSubscription} {
				for _, limit := range []int{3, 1, 50} {
					t.Run(fc.query+"/"+sortBy+"/"+strconv.Itoa(limit), func(t *testing.T) {
						f := parseFilter(t, ch.ID, fc.query+"&sort="+sortBy)
						want := expectedOrder(all, seeds, fc.keep, sortBy)
						checkWalk(t, db, f, limit, want)
					})
				}
			}
		}
	})
}

// checkWalk walks forward through every page, then back with Prev cursors,
// checking the order, the page boundaries, the cursors and the count.
func checkWalk(t *testing.T, db *gorm.DB, f models.ContactFilter, limit int, want []string) {
	t.Helper()
	var pages []models.ContactPage
	after := ""
	for {
		p, err := models.ListContactPage(db, f, after, "", limit, filterNow)
		if err != nil {
			t.Fatalf("forward page %d: %v", len(pages), err)
		}
		if len(pages) == 0 && p.Prev != "" {
			t.Fatal("first page has a Prev cursor")
		}
		if len(pages) > 0 && p.Prev == "" {
			t.Fatalf("page %d has no Prev cursor", len(pages))
		}
		if p.Next != "" && len(p.Contacts) != limit {
			t.Fatalf("page %d has %d rows (limit %d) and a Next cursor", len(pages), len(p.Contacts), limit)
		}
		pages = append(pages, p)
		if len(pages) > len(want)+2 {
			t.Fatal("pagination does not end")
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	var got []string
	seen := map[uint64]bool{}
	for _, p := range pages {
		for _, c := range p.Contacts {
			if seen[c.ID] {
				t.Fatalf("contact %s returned twice", c.Name)
			}
			seen[c.ID] = true
			got = append(got, c.Name)
		}
	}
	if want == nil {
		want = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("forward walk:\n got %q\nwant %q", got, want)
	}
	if wantPages := max(1, (len(want)+limit-1)/limit); len(pages) != wantPages {
		t.Fatalf("%d pages, want %d", len(pages), wantPages)
	}
	n, err := models.CountContacts(db, f, filterNow)
	if err != nil || n != int64(len(got)) {
		t.Fatalf("count = %d, %v; walked %d", n, err, len(got))
	}
	// Back again: each Prev gives exactly the page before it.
	before := pages[len(pages)-1].Prev
	for i := len(pages) - 2; i >= 0; i-- {
		if before == "" {
			t.Fatalf("no Prev cursor towards page %d", i)
		}
		p, err := models.ListContactPage(db, f, "", before, limit, filterNow)
		if err != nil {
			t.Fatalf("backward page %d: %v", i, err)
		}
		if g, w := names(p.Contacts), names(pages[i].Contacts); !reflect.DeepEqual(g, w) {
			t.Fatalf("backward page %d:\n got %q\nwant %q", i, g, w)
		}
		if p.Next == "" {
			t.Fatalf("backward page %d has no Next cursor", i)
		}
		// Its Next leads forward to the page after it again.
		fw, err := models.ListContactPage(db, f, p.Next, "", limit, filterNow)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := names(fw.Contacts), names(pages[i+1].Contacts); !reflect.DeepEqual(g, w) {
			t.Fatalf("Next of backward page %d:\n got %q\nwant %q", i, g, w)
		}
		before = p.Prev
	}
	if len(pages) > 1 && before != "" {
		t.Fatal("the first page reached backwards has a Prev cursor")
	}
}

func TestContactPageTagsAndCursorErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		seedContacts(t, db, ch.ID, filterFixture())
		f := parseFilter(t, ch.ID, "tags_any=vip&interacted_within=2w")
		p, err := models.ListContactPage(db, f, "", "", 10, filterNow)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, c := range p.Contacts {
			got[c.Name] = c.Tags
		}
		want := map[string][]string{
			"Alice Wang": {"buyer", "vip"}, "Bob": {"vip"}, "100% real": {"vip", "新客"}, "Frank": {"buyer", "churn", "vip"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("tags = %v, want %v", got, want)
		}
		if g := names(p.Contacts); !reflect.DeepEqual(g, []string{"Alice Wang", "Bob", "Frank", "100% real"}) {
			t.Fatalf("order = %q", g)
		}
		enc := func(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }
		for _, bad := range []string{"garbage", "eyJ4IjoxfQ", "%%%", "e30",
			// Ids the database's signed 64-bit column cannot hold.
			enc(`{"t":"2026-11-25T00:00:00Z","i":9223372036854775808}`), enc(`{"n":true,"i":18446744073709551615}`),
		} {
			if _, err := models.ListContactPage(db, f, bad, "", 10, filterNow); !errors.Is(err, models.ErrCursorInvalid) {
				t.Errorf("after=%q: error %v", bad, err)
			}
			if _, err := models.ListContactPage(db, f, "", bad, 10, filterNow); !errors.Is(err, models.ErrCursorInvalid) {
				t.Errorf("before=%q: error %v", bad, err)
			}
		}
	})
}

func TestTagAndUntagMatching(t *testing.T) {
	subscribed := []string{"Alice Wang", "Bob", "王小明", "100% real", "under_score", "100 real", "underXscore", "Carol", "Dave", "Eve", "Frank", "Grace"}
	cases := []struct {
		query string
		want  []string
	}{
		{"tags_any=vip,buyer&interacted_within=30d", []string{"Alice Wang", "Bob", "100% real", "100 real", "Dave", "Frank"}},
		{"status=all", append([]string{"ALICE Chen", "小明的朋友"}, subscribed...)},
		{"status=unsubscribed&q=小明", []string{"小明的朋友"}},
		// The selection names a tag being put on: it is judged once, before.
		{"tags_none=campaign", slices.DeleteFunc(slices.Clone(subscribed), func(s string) bool { return s == "Carol" })},
		{"tags_any=campaign,nope&status=all", []string{"Carol"}},
		{"tags_any=nope", []string{}},
		{"q=100%25", []string{"100% real"}},
	}
	for i, tc := range cases {
		// Subtest names become SQLite file paths: keep them plain.
		t.Run("case"+strconv.Itoa(i), func(t *testing.T) {
			t.Log(tc.query)
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				ch := mustChannel(t, db, channels.KindLINE)
				other := mustChannel(t, db, channels.KindMessenger)
				seeds := filterFixture()
				for i := range seeds {
					if seeds[i].name == "Carol" {
						seeds[i].tags = []string{"campaign"} // already carries it
					}
				}
				seedContacts(t, db, ch.ID, seeds)
				outsider := seedContacts(t, db, other.ID, []seedContact{{"Outsider", true, nil, tp(filterNow), []string{"vip"}}})
				f := parseFilter(t, ch.ID, tc.query)
				count, err := models.CountContacts(db, f, filterNow)
				if err != nil || count != int64(len(tc.want)) {
					t.Fatalf("count = %d, %v; want %d", count, err, len(tc.want))
				}
				tags, err := models.EnsureTags(db, []string{"campaign", "春季"})
				if err != nil {
					t.Fatal(err)
				}
				pre := 0
				if slices.Contains(tc.want, "Carol") {
					pre = 1
				}
				added, err := models.TagMatching(db, f, tags, filterNow)
				if err != nil {
					t.Fatalf("TagMatching: %v", err)
				}
				if wantAdded := int64(2*len(tc.want) - pre); added != wantAdded {
					t.Fatalf("TagMatching added %d links, want %d", added, wantAdded)
				}
				wantCampaign := append([]string{}, tc.want...)
				if pre == 0 {
					wantCampaign = append(wantCampaign, "Carol")
				}
				for _, tag := range []string{"campaign", "春季"} {
					got := sorted(names(walkAll(t, db, parseFilter(t, ch.ID, "status=all&tags_any="+tag), 50)))
					w := sorted(tc.want)
					if tag == "campaign" {
						w = sorted(wantCampaign)
					}
					if !reflect.DeepEqual(got, w) {
						t.Fatalf("tagged %s:\n got %q\nwant %q", tag, got, w)
					}
				}
				if n := tagCount(t, db, outsider["Outsider"].ID); n != 1 {
					t.Fatalf("another channel's contact has %d tags", n)
				}
				// Again: nothing new.
				if again, err := models.TagMatching(db, f, tags, filterNow); err != nil || again != 0 {
					t.Fatalf("second TagMatching = %d, %v", again, err)
				}
				// A fresh tag on the selection as it is now: exactly its count.
				current := names(walkAll(t, db, f, 50))
				now, err := models.CountContacts(db, f, filterNow)
				if err != nil || now != int64(len(current)) {
					t.Fatalf("count %d, %v; walked %d", now, err, len(current))
				}
				fresh, err := models.EnsureTags(db, []string{"fresh"})
				if err != nil {
					t.Fatal(err)
				}
				if n, err := models.TagMatching(db, f, fresh, filterNow); err != nil || n != now {
					t.Fatalf("TagMatching fresh = %d, %v; filter count %d", n, err, now)
				}
				// Untag: removes the selection's links, keeps the others.
				removed, err := models.UntagMatching(db, f, tags[:1], filterNow)
				if err != nil {
					t.Fatalf("UntagMatching: %v", err)
				}
				var rest []string
				for _, n := range wantCampaign {
					if !slices.Contains(current, n) {
						rest = append(rest, n)
					}
				}
				if removed != int64(len(wantCampaign)-len(rest)) {
					t.Fatalf("UntagMatching removed %d, want %d", removed, len(wantCampaign)-len(rest))
				}
				got := sorted(names(walkAll(t, db, parseFilter(t, ch.ID, "status=all&tags_any=campaign"), 50)))
				if w := sorted(rest); !reflect.DeepEqual(got, w) {
					t.Fatalf("after untag, campaign on %q, want %q", got, w)
				}
				if n := tagCount(t, db, outsider["Outsider"].ID); n != 1 {
					t.Fatalf("another channel's contact has %d tags after untag", n)
				}
			})
		})
	}
}

func tagCount(t *testing.T, db *gorm.DB, contactID uint64) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&models.ContactTag{}).Where("contact_id = ?", contactID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
