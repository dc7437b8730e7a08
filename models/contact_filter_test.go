package models_test

import (
	"errors"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// taipei is the workspace zone of these tests.
func taipei(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Fatalf("load Asia/Taipei: %v", err)
	}
	return loc
}

// filterNow is the moment every filter test queries at: 2026-11-25 12:00 in Taipei.
var filterNow = time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)

func tp(t time.Time) *time.Time { return &t }

// seedContact describes one contact of the filter fixture.
type seedContact struct {
	name       string
	subscribed bool
	subAt      *time.Time
	lastAt     *time.Time
	tags       []string
}

// filterFixture is the contact set most filter tests query. Times are
// chosen around the Taipei day boundaries and filterNow.
func filterFixture() []seedContact {
	day := 24 * time.Hour
	return []seedContact{
		{"Alice Wang", true, tp(time.Date(2025, 1, 10, 2, 0, 0, 0, time.UTC)), tp(filterNow.Add(-time.Hour)), []string{"vip", "buyer"}},
		// 2026-11-25 00:30 in Taipei (still 11-24 in UTC).
		{"Bob", true, tp(time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC)), tp(time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC)), []string{"vip"}},
		// 2026-11-24 23:59 in Taipei.
		{"王小明", true, tp(time.Date(2026, 11, 24, 15, 59, 0, 0, time.UTC)), tp(time.Date(2026, 11, 24, 15, 59, 0, 0, time.UTC)), []string{"新客"}},
		{"ALICE Chen", false, tp(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), tp(filterNow.Add(-3 * day)), []string{"buyer"}},
		{"100% real", true, nil, tp(filterNow.Add(-10 * day)), []string{"vip", "新客"}},
		{"under_score", true, tp(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)), nil, nil},
		{"100 real", true, tp(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)), tp(filterNow.Add(-20 * day)), []string{"buyer", "churn"}},
		{"underXscore", true, nil, nil, []string{"churn"}},
		{"小明的朋友", false, tp(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)), tp(filterNow.Add(-25 * time.Hour)), []string{"vip", "新客", "buyer"}},
		// 2025-01-01 00:00 in Taipei.
		{"Carol", true, tp(time.Date(2024, 12, 31, 16, 0, 0, 0, time.UTC)), tp(filterNow.Add(-15 * day)), nil},
		// Same times as Alice Wang: the id breaks the tie.
		{"Dave", true, tp(time.Date(2025, 1, 10, 2, 0, 0, 0, time.UTC)), tp(filterNow.Add(-time.Hour)), []string{"buyer"}},
		{"Eve", true, tp(time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)), nil, []string{"vip"}},
		// 23 hours and 59 minutes ago, and 24 hours and 1 minute ago.
		{"Frank", true, tp(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)), tp(filterNow.Add(-24*time.Hour + time.Minute)), []string{"vip", "buyer", "churn"}},
		{"Grace", true, tp(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)), tp(filterNow.Add(-24*time.Hour - time.Minute)), []string{"churn"}},
	}
}

// seedContacts creates the contacts on a channel, returning them by name.
func seedContacts(t testing.TB, db *gorm.DB, channelID uint, seeds []seedContact) map[string]models.Contact {
	t.Helper()
	out := map[string]models.Contact{}
	for i, s := range seeds {
		c := models.Contact{
			ChannelID: channelID, ExternalID: "ext-" + strconv.Itoa(i),
			Name: s.name, Subscribed: s.subscribed, SubscribedAt: s.subAt, LastInteractionAt: s.lastAt,
		}
		if !s.subscribed {
			c.UnsubscribedAt = tp(filterNow.Add(-time.Hour))
		}
		if err := db.Create(&c).Error; err != nil {
			t.Fatalf("create contact %q: %v", s.name, err)
		}
		if !s.subscribed {
			// GORM skips a false bool with a default; write it explicitly.
			if err := db.Model(&models.Contact{}).Where("id = ?", c.ID).Update("subscribed", false).Error; err != nil {
				t.Fatal(err)
			}
			c.Subscribed = false
		}
		if len(s.tags) > 0 {
			tags, err := models.EnsureTags(db, s.tags)
			if err != nil {
				t.Fatal(err)
			}
			if err := models.TagContacts(db, []uint64{c.ID}, tags); err != nil {
				t.Fatal(err)
			}
		}
		out[s.name] = c
	}
	return out
}

func formatInt(i int) string { return strconv.Itoa(i) }

// parseFilter parses a query string for channel ch, failing on field errors.
func parseFilter(t testing.TB, ch uint, query string) models.ContactFilter {
	t.Helper()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatalf("bad test query %q: %v", query, err)
	}
	v.Set("channel", formatInt(int(ch)))
	f, errs := models.ParseContactFilter(v, taipei(t))
	if errs != nil {
		t.Fatalf("ParseContactFilter(%q): %v", query, errs)
	}
	return f
}

// walkAll follows Next cursors from the first page and returns the names in order.
func walkAll(t testing.TB, db *gorm.DB, f models.ContactFilter, limit int) []models.ContactWithTags {
	t.Helper()
	var out []models.ContactWithTags
	after := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		p, err := models.ListContactPage(db, f, after, "", limit, filterNow)
		if err != nil {
			t.Fatalf("ListContactPage: %v", err)
		}
		if len(p.Contacts) > limit {
			t.Fatalf("page of %d rows, limit %d", len(p.Contacts), limit)
		}
		out = append(out, p.Contacts...)
		if p.Next == "" {
			return out
		}
		if len(p.Contacts) == 0 {
			t.Fatal("empty page with a Next cursor")
		}
		after = p.Next
	}
}

func names(cs []models.ContactWithTags) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func TestContactFilterFields(t *testing.T) {
	cases := []struct {
		name  string
		query string
		want  []string // names, any order
	}{
		{"default is subscribed", "", []string{"Alice Wang", "Bob", "王小明", "100% real", "under_score", "100 real", "underXscore", "Carol", "Dave", "Eve", "Frank", "Grace"}},
		{"status subscribed", "status=subscribed", []string{"Alice Wang", "Bob", "王小明", "100% real", "under_score", "100 real", "underXscore", "Carol", "Dave", "Eve", "Frank", "Grace"}},
		{"status unsubscribed", "status=unsubscribed", []string{"ALICE Chen", "小明的朋友"}},
		{"status all", "status=all", []string{"Alice Wang", "Bob", "王小明", "ALICE Chen", "100% real", "under_score", "100 real", "underXscore", "小明的朋友", "Carol", "Dave", "Eve", "Frank", "Grace"}},

		// Interaction times; a day is a Taipei day.
		{"interacted_from day in Taipei", "interacted_from=2026-11-25&status=all", []string{"Alice Wang", "Bob", "Dave"}},
		{"interacted_to day includes the whole day", "interacted_to=2026-11-24&interacted_from=2026-11-24&status=all", []string{"王小明", "小明的朋友", "Frank", "Grace"}},
		{"interacted_to day only", "interacted_to=2026-11-10&status=all", []string{"100 real", "Carol"}},
		{"interacted_from RFC 3339 UTC", "interacted_from=2026-11-24T16:30:00Z&status=all", []string{"Alice Wang", "Bob", "Dave"}},
		{"interacted_from RFC 3339 offset", "interacted_from=2026-11-25T00:30:00%2B08:00&status=all", []string{"Alice Wang", "Bob", "Dave"}},
		{"interacted_from RFC 3339 is inclusive, to exclusive", "interacted_from=2026-11-24T15:59:00Z&interacted_to=2026-11-24T16:30:00Z", []string{"王小明"}},
		{"interacted range of instants", "interacted_from=2026-11-14T00:00:00Z&interacted_to=2026-11-23T00:00:00Z&status=all", []string{"ALICE Chen", "100% real"}},

		// Relative spans.
		{"within 24h", "interacted_within=24h&status=all", []string{"Alice Wang", "Bob", "王小明", "Dave", "Frank"}},
		{"within 1d equals 24h", "interacted_within=1d&status=all", []string{"Alice Wang", "Bob", "王小明", "Dave", "Frank"}},
		{"within 90m", "interacted_within=90m", []string{"Alice Wang", "Dave"}},
		{"within 7d", "interacted_within=7d&status=all", []string{"Alice Wang", "Bob", "王小明", "ALICE Chen", "小明的朋友", "Dave", "Frank", "Grace"}},
		{"within 2w", "interacted_within=2w", []string{"Alice Wang", "Bob", "王小明", "100% real", "Dave", "Frank", "Grace"}},
		{"within and from together", "interacted_within=2w&interacted_from=2026-11-25", []string{"Alice Wang", "Bob", "Dave"}},

		// Subscription times.
		{"subscribed_from day", "subscribed_from=2026-11-01&status=all", []string{"Bob", "王小明", "小明的朋友"}},
		{"subscribed_from Taipei new year", "subscribed_from=2025-01-01&subscribed_to=2025-01-01", []string{"Carol"}},
		{"subscribed_to day", "subscribed_to=2025-01-10", []string{"Alice Wang", "Carol", "Dave"}},
		{"subscribed_to before the Taipei day", "subscribed_to=2024-12-31", []string{}},
		{"subscribed range RFC 3339", "subscribed_from=2026-02-02T00:00:00Z&subscribed_to=2026-06-01T00:00:00Z", []string{"Eve", "Frank", "Grace"}},
		{"subscribed and interacted", "subscribed_from=2026-01-01&interacted_within=7d&status=all", []string{"Bob", "王小明", "ALICE Chen", "小明的朋友", "Frank", "Grace"}},

		// Tags.
		{"tags_any one", "tags_any=vip", []string{"Alice Wang", "Bob", "100% real", "Eve", "Frank"}},
		{"tags_any two", "tags_any=vip,churn", []string{"Alice Wang", "Bob", "100% real", "100 real", "underXscore", "Eve", "Frank", "Grace"}},
		{"tags_any with spaces and duplicates", "tags_any=+vip+,vip,,churn", []string{"Alice Wang", "Bob", "100% real", "100 real", "underXscore", "Eve", "Frank", "Grace"}},
		{"tags_any Chinese", "tags_any=新客&status=all", []string{"王小明", "100% real", "小明的朋友"}},
		{"tags_any unknown only", "tags_any=nope", []string{}},
		{"tags_any unknown and known", "tags_any=nope,churn", []string{"100 real", "underXscore", "Frank", "Grace"}},
		{"tags_all two", "tags_all=vip,buyer&status=all", []string{"Alice Wang", "小明的朋友", "Frank"}},
		{"tags_all three", "tags_all=vip,buyer,新客&status=all", []string{"小明的朋友"}},
		{"tags_all with unknown", "tags_all=vip,nope", []string{}},
		{"tags_none", "tags_none=vip,buyer", []string{"王小明", "under_score", "underXscore", "Carol", "Grace"}},
		{"tags_none unknown is no condition", "tags_none=nope", []string{"Alice Wang", "Bob", "王小明", "100% real", "under_score", "100 real", "underXscore", "Carol", "Dave", "Eve", "Frank", "Grace"}},
		{"tags_none unknown and known", "tags_none=nope,churn", []string{"Alice Wang", "Bob", "王小明", "100% real", "under_score", "Carol", "Dave", "Eve"}},
		{"any and all", "tags_any=vip,新客&tags_all=buyer&status=all", []string{"Alice Wang", "小明的朋友", "Frank"}},
		{"any and none", "tags_any=vip,buyer&tags_none=churn", []string{"Alice Wang", "Bob", "100% real", "Dave", "Eve"}},
		{"all and none", "tags_all=buyer&tags_none=vip&status=all", []string{"ALICE Chen", "100 real", "Dave"}},
		{"any, all and none", "tags_any=vip,churn&tags_all=buyer&tags_none=新客", []string{"Alice Wang", "100 real", "Frank"}},
		{"same tag in any and none", "tags_any=vip&tags_none=vip", []string{}},
		{"tags and interaction", "tags_any=vip,buyer&interacted_within=30d", []string{"Alice Wang", "Bob", "100% real", "100 real", "Dave", "Frank"}},

		// Name search.
		{"q substring", "q=ali&status=all", []string{"Alice Wang", "ALICE Chen"}},
		{"q case-insensitive upper", "q=ALICE", []string{"Alice Wang"}},
		{"q mixed case", "q=wAnG", []string{"Alice Wang"}},
		{"q Chinese", "q=小明&status=all", []string{"王小明", "小明的朋友"}},
		{"q Chinese suffix", "q=朋友&status=all", []string{"小明的朋友"}},
		{"q percent is literal", "q=100%25", []string{"100% real"}},
		{"q underscore is literal", "q=under_", []string{"under_score"}},
		{"q backslash is literal", "q=%5C", []string{}},
		{"q no match", "q=zzz", []string{}},
		{"q with tags", "q=real&tags_any=churn", []string{"100 real"}},
		{"q and status", "q=alice&status=unsubscribed", []string{"ALICE Chen"}},

		{"everything", "q=a&tags_any=vip,buyer&tags_none=churn&subscribed_from=2025-01-01&subscribed_to=2026-12-31&interacted_from=2026-11-01&interacted_within=30d&status=subscribed&sort=subscription", []string{"Alice Wang", "Dave"}},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		other := mustChannel(t, db, channels.KindMessenger)
		seedContacts(t, db, ch.ID, filterFixture())
		// Another channel's contacts never show up.
		seedContacts(t, db, other.ID, []seedContact{
			{"Alice Other", true, tp(filterNow.Add(-time.Hour)), tp(filterNow.Add(-time.Hour)), []string{"vip", "buyer", "新客", "churn"}},
		})
		for _, tc := range cases {
			for _, sort := range []string{"interaction", "subscription"} {
				t.Run(tc.name+"/"+sort, func(t *testing.T) {
					q := tc.query
					if !strings.Contains(q, "sort=") {
						q += "&sort=" + sort
					}
					f := parseFilter(t, ch.ID, q)
					got := walkAll(t, db, f, 4)
					if g, w := sorted(names(got)), sorted(tc.want); !reflect.DeepEqual(g, w) {
						t.Fatalf("%s:\n got %q\nwant %q", q, g, w)
					}
					n, err := models.CountContacts(db, f, filterNow)
					if err != nil || n != int64(len(tc.want)) {
						t.Fatalf("count = %d, %v; want exactly %d", n, err, len(tc.want))
					}
				})
			}
		}
	})
}

// TestContactFilterTaipeiToday pins the day boundary of the workspace zone.
func TestContactFilterTaipeiToday(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ch := mustChannel(t, db, channels.KindLINE)
		seedContacts(t, db, ch.ID, []seedContact{
			{"in", true, nil, tp(time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC)), nil},
			{"out", true, nil, tp(time.Date(2026, 11, 24, 15, 59, 0, 0, time.UTC)), nil},
			{"edge", true, nil, tp(time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC)), nil},
			{"tomorrow", true, nil, tp(time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)), nil},
		})
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"interacted_from=2026-11-25", []string{"edge", "in", "tomorrow"}},
			{"interacted_from=2026-11-25&interacted_to=2026-11-25", []string{"edge", "in"}},
			{"interacted_to=2026-11-24", []string{"out"}},
			{"interacted_to=2026-11-25", []string{"edge", "in", "out"}},
		} {
			got := sorted(names(walkAll(t, db, parseFilter(t, ch.ID, tc.query), 50)))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: got %q, want %q", tc.query, got, tc.want)
			}
		}
		// The bound itself is the Taipei midnight, in UTC.
		f := parseFilter(t, ch.ID, "interacted_from=2026-11-25&interacted_to=2026-11-25")
		if !f.InteractedFrom.Equal(time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC)) || !f.InteractedTo.Equal(time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)) {
			t.Errorf("bounds = %v .. %v", f.InteractedFrom, f.InteractedTo)
		}
	})
}

func TestParseContactFilterErrors(t *testing.T) {
	cases := []struct {
		query string
		field string
		err   error
	}{
		{"channel=abc", "channel", models.ErrFilterChannel},
		{"channel=0", "channel", models.ErrFilterChannel},
		{"channel=-3", "channel", models.ErrFilterChannel},
		{"channel=99999999999", "channel", models.ErrFilterChannel},
		{"subscribed_from=2026-13-01", "subscribed_from", models.ErrFilterDate},
		{"subscribed_from=yesterday", "subscribed_from", models.ErrFilterDate},
		{"subscribed_to=2026-02-30", "subscribed_to", models.ErrFilterDate},
		{"interacted_from=2026/11/25", "interacted_from", models.ErrFilterDate},
		{"interacted_from=2026-11-25T25:00:00Z", "interacted_from", models.ErrFilterDate},
		{"interacted_to=25-11-2026", "interacted_to", models.ErrFilterDate},
		{"interacted_to=2026-11-25T10:00:00", "interacted_to", models.ErrFilterDate},
		{"subscribed_from=2026-11-25&subscribed_to=2026-11-24", "subscribed_to", models.ErrFilterRange},
		{"subscribed_from=2026-11-25T00:00:00Z&subscribed_to=2026-11-25T00:00:00Z", "subscribed_to", models.ErrFilterRange},
		{"interacted_from=2026-11-26&interacted_to=2026-11-25", "interacted_to", models.ErrFilterRange},
		{"interacted_within=7", "interacted_within", models.ErrFilterWithin},
		{"interacted_within=d", "interacted_within", models.ErrFilterWithin},
		{"interacted_within=0d", "interacted_within", models.ErrFilterWithin},
		{"interacted_within=-1d", "interacted_within", models.ErrFilterWithin},
		{"interacted_within=1y", "interacted_within", models.ErrFilterWithin},
		{"interacted_within=1.5h", "interacted_within", models.ErrFilterWithin},
		{"interacted_within=7D", "interacted_within", models.ErrFilterWithin},
		{"interacted_within=1831d", "interacted_within", models.ErrFilterWithin},
		{"interacted_within=999999999999999999999h", "interacted_within", models.ErrFilterWithin},
		{"interacted_within=%E4%B8%83d", "interacted_within", models.ErrFilterWithin},
		{"tags_all=" + strings.Repeat("x", 101), "tags_all", models.ErrFilterTags},
		{"tags_none=ok," + strings.Repeat("標", 101), "tags_none", models.ErrFilterTags},
		{"tags_any=" + manyTags(51), "tags_any", models.ErrFilterTags},
		{"status=active", "status", models.ErrFilterStatus},
		{"status=SUBSCRIBED", "status", models.ErrFilterStatus},
		{"sort=name", "sort", models.ErrFilterSort},
		{"sort=interaction%20desc", "sort", models.ErrFilterSort},
		// NUL bytes and invalid UTF-8: PostgreSQL refuses them, and SQLite's
		// LIKE stops at a NUL (q=%00 matched every contact).
		{"q=%00", "q", models.ErrFilterText},
		{"q=ab%00cd", "q", models.ErrFilterText},
		{"q=%C3%28", "q", models.ErrFilterText},
		{"tags_any=vip%00", "tags_any", models.ErrFilterText},
		{"tags_none=%FF", "tags_none", models.ErrFilterText},
		{"subscribed_from=2026-11-01%00", "subscribed_from", models.ErrFilterText},
		{"interacted_within=7d%00", "interacted_within", models.ErrFilterText},
		{"status=all%00", "status", models.ErrFilterText},
		{"sort=%00", "sort", models.ErrFilterText},
		{"channel=1%00", "channel", models.ErrFilterText},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Has("channel") {
				v.Set("channel", "1")
			}
			_, errs := models.ParseContactFilter(v, taipei(t))
			if errs == nil || !errors.Is(errs[tc.field], tc.err) {
				t.Fatalf("errors = %v, want %s: %v", errs, tc.field, tc.err)
			}
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want only %s", errs, tc.field)
			}
		})
	}
	t.Run("several at once", func(t *testing.T) {
		v, _ := url.ParseQuery("channel=x&subscribed_from=nope&interacted_within=3y&status=gone&sort=up&tags_any=" + strings.Repeat("x", 101))
		_, errs := models.ParseContactFilter(v, taipei(t))
		for _, k := range []string{"channel", "subscribed_from", "interacted_within", "status", "sort", "tags_any"} {
			if errs[k] == nil {
				t.Errorf("no error for %s (errors %v)", k, errs)
			}
		}
	})
	t.Run("valid values give no errors", func(t *testing.T) {
		for _, q := range []string{
			"", "channel=1", "interacted_within=1830d", "interacted_within=261w", "interacted_within=90m",
			"tags_any=" + manyTags(50), "q=" + strings.Repeat("長", 300), "status=all&sort=subscription",
			"subscribed_from=2026-11-25&subscribed_to=2026-11-25",
		} {
			v, _ := url.ParseQuery(q)
			if _, errs := models.ParseContactFilter(v, taipei(t)); errs != nil {
				t.Errorf("%s: %v", q, errs)
			}
		}
	})
	t.Run("no channel is refused by the queries", func(t *testing.T) {
		db := dbtest.SQLite(t)
		f, errs := models.ParseContactFilter(url.Values{}, taipei(t))
		if errs != nil {
			t.Fatal(errs)
		}
		if _, err := models.ListContactPage(db, f, "", "", 10, filterNow); !errors.Is(err, models.ErrFilterChannel) {
			t.Errorf("ListContactPage error = %v", err)
		}
		if _, err := models.CountContacts(db, f, filterNow); !errors.Is(err, models.ErrFilterChannel) {
			t.Errorf("CountContacts error = %v", err)
		}
		if _, err := models.TagMatching(db, f, nil, filterNow); err != nil {
			t.Errorf("TagMatching with no tags = %v", err)
		}
	})
}

func manyTags(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "t" + formatInt(i)
	}
	return strings.Join(parts, ",")
}

func TestParseSpan(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"24h": 24 * time.Hour, "90m": 90 * time.Minute, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "1830d": 1830 * 24 * time.Hour,
	} {
		if got, err := models.ParseSpan(s); err != nil || got != want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "h", "0h", "-2h", "2x", "2", "1.5d", "1831d", "262w", " 7d", "7 d", "9223372036854775807m"} {
		if got, err := models.ParseSpan(s); err == nil {
			t.Errorf("ParseSpan(%q) = %v, want an error", s, got)
		}
	}
}

func TestContactFilterValuesRoundTrip(t *testing.T) {
	loc := taipei(t)
	for _, q := range []string{
		"channel=3",
		"channel=3&status=all&sort=subscription",
		"channel=7&subscribed_from=2025-01-01&subscribed_to=2026-11-25&interacted_from=2026-11-24T16:30:00Z&interacted_to=2026-11-25T10:30:00%2B08:00",
		"channel=7&interacted_within=2w&tags_any=vip,新客&tags_all=buyer&tags_none=churn",
		"channel=1&q=100%25+_real&status=unsubscribed",
		"q=小明&tags_any=+vip+,+buyer",
	} {
		t.Run(q, func(t *testing.T) {
			v, _ := url.ParseQuery(q)
			f, errs := models.ParseContactFilter(v, loc)
			if errs != nil {
				t.Fatal(errs)
			}
			enc := f.Values().Encode()
			v2, err := url.ParseQuery(enc)
			if err != nil {
				t.Fatal(err)
			}
			g, errs := models.ParseContactFilter(v2, loc)
			if errs != nil {
				t.Fatalf("re-parse of %q: %v", enc, errs)
			}
			if g.Values().Encode() != enc {
				t.Fatalf("second encoding %q differs from %q", g.Values().Encode(), enc)
			}
			if !sameFilter(f, g) {
				t.Fatalf("round trip changed the filter:\n%+v\n%+v", f, g)
			}
			// Every given parameter survives (trimmed).
			for k := range v {
				if strings.TrimSpace(v.Get(k)) != v2.Get(k) {
					t.Errorf("%s: %q became %q", k, v.Get(k), v2.Get(k))
				}
			}
		})
	}
	t.Run("WithChannel keeps the conditions", func(t *testing.T) {
		v, _ := url.ParseQuery("channel=1&tags_any=vip&q=al")
		f, _ := models.ParseContactFilter(v, loc)
		g := f.WithChannel(9)
		if got := g.Values().Encode(); got != "channel=9&q=al&tags_any=vip" {
			t.Fatalf("Values = %q", got)
		}
		if f.IsDefault() || !mustParse(t, "channel=1").IsDefault() || mustParse(t, "channel=1&sort=subscription&status=all").IsDefault() {
			t.Fatal("IsDefault is wrong")
		}
	})
}

func mustParse(t *testing.T, q string) models.ContactFilter {
	t.Helper()
	v, _ := url.ParseQuery(q)
	f, errs := models.ParseContactFilter(v, taipei(t))
	if errs != nil {
		t.Fatal(errs)
	}
	return f
}

func sameFilter(a, b models.ContactFilter) bool {
	eqT := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return a.ChannelID == b.ChannelID && eqT(a.SubscribedFrom, b.SubscribedFrom) && eqT(a.SubscribedTo, b.SubscribedTo) &&
		eqT(a.InteractedFrom, b.InteractedFrom) && eqT(a.InteractedTo, b.InteractedTo) && a.InteractedWithin == b.InteractedWithin &&
		reflect.DeepEqual(a.TagsAny, b.TagsAny) && reflect.DeepEqual(a.TagsAll, b.TagsAll) && reflect.DeepEqual(a.TagsNone, b.TagsNone) &&
		a.Status == b.Status && a.Q == b.Q && a.Sort == b.Sort
}
