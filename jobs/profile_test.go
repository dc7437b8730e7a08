package jobs

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/connect"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// countedProfiles wraps a channel's client: it counts profile look-ups
// and fails those of one person.
type countedProfiles struct {
	Sender
	p    connect.Profiler
	n    *atomic.Int64
	fail string
}

func (c countedProfiles) Profile(ctx context.Context, userID string) (channels.Profile, error) {
	c.n.Add(1)
	if userID == c.fail {
		return channels.Profile{}, errors.New("profile restricted")
	}
	return c.p.Profile(ctx, userID)
}

func countingSenders(base SenderFactory, n *atomic.Int64, fail string) SenderFactory {
	return func(ctx context.Context, db *gorm.DB, ch *models.Channel) (Sender, error) {
		s, err := base(ctx, db, ch)
		if err != nil {
			return nil, err
		}
		inner := s
		if m, ok := s.(multiSender); ok {
			inner = m.Sender
		}
		return countedProfiles{Sender: inner, p: inner.(connect.Profiler), n: n, fail: fail}, nil
	}
}

// lastTextTo is the last message body the simulator got for recipient.
func lastTextTo(t *testing.T, s *sim.Sim, recipient string) string {
	t.Helper()
	sent := s.SentTo(recipient)
	if len(sent) == 0 {
		t.Fatalf("nothing sent to %s", recipient)
	}
	return string(sent[len(sent)-1].Body)
}

// TestFreshProfileNames: personalised content fills {{name}} with the
// platform's current profile name (Messenger and LINE through the
// simulator), cached per contact for the TTL, without touching the
// stored name; a failed look-up falls back to the stored name; content
// without {{name}} makes no look-up at all.
func TestFreshProfileNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		ms := e.channel(channels.KindMessenger, "page-names", 0)
		ids := e.people(ms, 3)
		people := make([]models.Contact, len(ids))
		for i, id := range ids {
			db.First(&people[i], id)
			// The stored names are stale: the platform's are the sim's.
			db.Model(&models.Contact{}).Where("id = ?", id).Update("name", "舊名")
		}
		// The platform's names, as its profile API gives them.
		platform := map[string]string{}
		for _, p := range e.sim.People(ms.ExternalID) {
			platform[p.ID] = e.profileName(ms, p.ID)
		}
		ln := e.channel(channels.KindLINE, "line-names", 0)
		lineIDs := e.people(ln, 1)
		var lineP models.Contact
		db.First(&lineP, lineIDs[0])
		db.Model(&models.Contact{}).Where("id = ?", lineP.ID).Update("name", "舊名")
		linePlatform := e.profileName(ln, lineP.ExternalID)

		var lookups atomic.Int64
		r := e.runner(func(c *Config) { c.Senders = countingSenders(channelSenders(e.sealer), &lookups, people[2].ExternalID) })
		send := func(ch *models.Channel, msg string, to []uint64) {
			t.Helper()
			b := e.broadcast(ch, text(msg), time.Now(), to, nil)
			if err := r.Schedule(b.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
			e.waitStatus(b.ID, models.BroadcastDone, 20*time.Second)
		}

		send(ms, "嗨 {{name}}，新品上市", ids)
		for i, p := range people[:2] {
			if body := lastTextTo(t, e.sim, p.ExternalID); !strings.Contains(body, "嗨 "+platform[p.ExternalID]+"，") {
				t.Errorf("person %d got %s, want the profile name %q", i, body, platform[p.ExternalID])
			}
		}
		if body := lastTextTo(t, e.sim, people[2].ExternalID); !strings.Contains(body, "嗨 舊名，") {
			t.Errorf("failed look-up: got %s, want the stored name", body)
		}
		if n := lookups.Load(); n != 3 {
			t.Errorf("%d look-ups for 3 people, want 3", n)
		}
		var c models.Contact
		db.First(&c, people[0].ID)
		if c.Name != "舊名" {
			t.Errorf("the stored name was changed to %q", c.Name)
		}
		cached, err := models.CachedProfiles(db, ids)
		if err != nil {
			t.Fatal(err)
		}
		if got := cached[people[0].ID]; got.ProfileName != platform[people[0].ExternalID] || got.ProfileFetchedAt == nil {
			t.Errorf("cache of person 0: %+v", got)
		}
		if got := cached[people[2].ID]; got.ProfileFetchedAt != nil {
			t.Errorf("a failed look-up was cached: %+v", got)
		}

		// Within the TTL the cache answers, even though the platform's
		// name changed; only the failed one is asked again.
		renamed := sim.Person{ID: people[0].ExternalID, Name: "新名字", Language: "zh-TW"}
		e.sim.AddPerson(ms.ExternalID, renamed)
		send(ms, "再嗨 {{name}}", ids[:1])
		if body := lastTextTo(t, e.sim, people[0].ExternalID); !strings.Contains(body, "再嗨 "+platform[people[0].ExternalID]) {
			t.Errorf("within the TTL: %s", body)
		}
		if n := lookups.Load(); n != 3 {
			t.Errorf("%d look-ups, want still 3 (cached)", n)
		}
		// Content without {{name}}: no look-up at all.
		send(ms, "大家好", ids)
		if n := lookups.Load(); n != 3 {
			t.Errorf("%d look-ups after a broadcast without {{name}}, want 3", n)
		}
		// Past the TTL the platform is asked again.
		db.Exec("UPDATE contacts SET profile_fetched_at = ? WHERE id = ?", time.Now().Add(-models.ProfileTTL-time.Minute).UTC(), people[0].ID)
		send(ms, "三嗨 {{name}}", ids[:1])
		if body := lastTextTo(t, e.sim, people[0].ExternalID); !strings.Contains(body, "三嗨 新名字") {
			t.Errorf("past the TTL: %s, want the platform's new name", body)
		}
		if n := lookups.Load(); n != 4 {
			t.Errorf("%d look-ups, want 4", n)
		}

		// LINE: a personalised push with the profile name.
		send(ln, "{{name}} 您好", lineIDs)
		if body := lastTextTo(t, e.sim, lineP.ExternalID); !strings.Contains(body, linePlatform+" 您好") {
			t.Errorf("LINE push %s, want the profile name %q", body, linePlatform)
		}
	})
}

// profileName asks the simulator for a person's profile name through the
// channel's own client.
func (e *sendEnv) profileName(ch *models.Channel, userID string) string {
	e.t.Helper()
	cl, err := connect.Client(connect.Channel{Kind: ch.Kind, ExternalID: ch.ExternalID, BaseURL: e.base, AccessToken: "tok-" + ch.ExternalID}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := cl.Profiles.Profile(context.Background(), userID)
	if err != nil || p.Name == "" || p.Name == "舊名" {
		e.t.Fatalf("profile of %s: %+v %v", userID, p, err)
	}
	return p.Name
}
