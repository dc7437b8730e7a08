package models_test

import (
	"maps"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// windowAudience seeds a channel with people placed around the 24-hour
// window of composeNow, returning them by name.
func windowAudience(t testing.TB, db *gorm.DB, ch *models.Channel) map[string]models.Contact {
	t.Helper()
	day := 24 * time.Hour
	seeds := []seedContact{
		{name: "recent", subscribed: true, lastAt: tp(composeNow.Add(-time.Hour))},
		{name: "edge in", subscribed: true, lastAt: tp(composeNow.Add(-day + time.Second))},
		{name: "exactly 24h", subscribed: true, lastAt: tp(composeNow.Add(-day))},
		{name: "edge out", subscribed: true, lastAt: tp(composeNow.Add(-day - time.Second))},
		{name: "never", subscribed: true},
		{name: "unsubscribed", subscribed: false, lastAt: tp(composeNow.Add(-time.Hour))},
		{name: "tester", subscribed: true, lastAt: tp(composeNow.Add(-time.Hour))},
		{name: "tester outside", subscribed: true},
	}
	byName := seedContacts(t, db, ch.ID, seeds)
	for _, n := range []string{"tester", "tester outside"} {
		if err := db.Model(&models.Contact{}).Where("id = ?", byName[n].ID).Update("tester", true).Error; err != nil {
			t.Fatal(err)
		}
	}
	return byName
}

func allOf(m map[string]models.Contact) []models.Contact {
	var out []models.Contact
	for _, c := range m {
		out = append(out, c)
	}
	return out
}

func TestConfirmationFiguresCountsSkipsAroundTheWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		page := newChannel(t, db, channels.KindMessenger, "page")
		people := windowAudience(t, db, page)
		listed := explicitAudience(t, db, page, allOf(people))
		d := models.Draft{ChannelID: page.ID, Subject: "s", SendNow: true, MessageTag: models.TagStandard,
			Audience: models.AudienceSpec{AudienceID: &listed},
			Content:  models.BroadcastContent{Messages: texts(2, "hello")}}
		check := func(name string, d models.Draft, at time.Time, audience, sendable int64, skipped map[string]int64) models.Figures {
			t.Helper()
			f, err := models.ConfirmationFigures(db, d, at, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if f.Audience != audience || f.Sendable != sendable || !maps.Equal(f.Skipped, skipped) {
				t.Fatalf("%s: got audience %d sendable %d skipped %v; want %d %d %v", name, f.Audience, f.Sendable, f.Skipped, audience, sendable, skipped)
			}
			return f
		}
		// Standard message: "edge in" (23:59:59 ago) and "exactly 24h" are
		// inside; "edge out" (24:00:01 ago) and "never" are outside.
		f := check("standard", d, composeNow, 8, 3, map[string]int64{"unsubscribed": 1, "tester": 2, "outside_window": 2, "deleted": 0})
		if f.LINEQuota != nil || f.Multicast || f.EstimatedSeconds != 1 {
			t.Fatalf("messenger extras %+v", f)
		}
		// Two seconds later "edge in" has left the window too… and
		// "exactly 24h" with it.
		check("standard +2s", d, composeNow.Add(2*time.Second), 8, 1, map[string]int64{"unsubscribed": 1, "tester": 2, "outside_window": 4, "deleted": 0})
		// A message tag has no window.
		tagged := d
		tagged.MessageTag = models.TagPostPurchase
		check("tagged", tagged, composeNow, 8, 5, map[string]int64{"unsubscribed": 1, "tester": 2, "deleted": 0})
		// The same people by filter (everyone of the channel, any status).
		byFilter := d
		byFilter.Audience = models.AudienceSpec{Filter: "status=all"}
		check("filter", byFilter, composeNow, 8, 3, map[string]int64{"unsubscribed": 1, "tester": 2, "outside_window": 2})
		// The default filter status (subscribed) leaves the unsubscribed out.
		byFilter.Audience = models.AudienceSpec{Filter: "interacted_within=1d"}
		check("filter within 1d", byFilter, composeNow, 4, 3, map[string]int64{"unsubscribed": 0, "tester": 1, "outside_window": 0})
		// A listed contact deleted since the selection was saved.
		if err := models.DeleteContact(db, page.ID, people["recent"].ID); err != nil {
			t.Fatal(err)
		}
		check("deleted", d, composeNow, 8, 2, map[string]int64{"unsubscribed": 1, "tester": 2, "outside_window": 2, "deleted": 1})
	})
}

func TestConfirmationFiguresLINE(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		oa := newChannel(t, db, channels.KindLINE, "oa")
		people := windowAudience(t, db, oa)
		listed := explicitAudience(t, db, oa, allOf(people))
		d := models.Draft{ChannelID: oa.ID, Subject: "s", SendNow: true, Audience: models.AudienceSpec{AudienceID: &listed},
			Content: models.BroadcastContent{Messages: texts(3, "same for all")}}
		quota := func(remaining int64) models.QuotaFunc {
			return func(ch *models.Channel) (models.LineQuota, bool) {
				return models.LineQuota{Remaining: remaining}, ch.ID == oa.ID
			}
		}
		f, err := models.ConfirmationFigures(db, d, composeNow, quota(100))
		if err != nil {
			t.Fatal(err)
		}
		// No window on LINE: everyone subscribed and not a tester, 5; one
		// quota unit each whatever the three bubbles.
		if f.Sendable != 5 || f.LINEQuota == nil || f.LINEQuota.Needed != 5 || *f.LINEQuota.Remaining != 100 || f.LINEQuota.Exceeds ||
			!f.Multicast || f.EstimatedSeconds != 1 {
			t.Fatalf("figures %+v quota %+v", f, f.LINEQuota)
		}
		if _, ok := f.Skipped["outside_window"]; ok {
			t.Fatal("LINE has no window")
		}
		d.Content.Messages[1].Text = "Hi " + channels.NameParam
		f, err = models.ConfirmationFigures(db, d, composeNow, quota(4))
		if err != nil {
			t.Fatal(err)
		}
		if f.Multicast || !f.LINEQuota.Exceeds {
			t.Fatalf("personalised over quota: %+v %+v", f, f.LINEQuota)
		}
		if f, _ = models.ConfirmationFigures(db, d, composeNow, nil); f.LINEQuota.Remaining != nil {
			t.Fatal("unknown quota reported as known")
		}
	})
}
