package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels/sim"
	"omnicast/models"
)

// sendFixture is a database and a simulator, with channels connected to
// it, for the tests that run the real binary: the simulator lives in the
// test, so its record outlives the processes it judges.
type sendFixture struct {
	t      *testing.T
	db     *gorm.DB
	url    string // the database, as a process reaches it
	key    string // OMNICAST_SECRET_KEY of every process
	sealer *models.Sealer
	sim    *sim.Sim
	base   string
}

func newSendFixture(t *testing.T) *sendFixture {
	t.Helper()
	url, db := pgSchema(t)
	key := "kill-test-secret-0123456789abcdef-0123"
	sealer, err := models.NewSealer([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Config{ReceiptDelay: -1})
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return &sendFixture{t: t, db: db, url: url, key: key, sealer: sealer, sim: s, base: base}
}

// env is a process's environment on the fixture.
func (f *sendFixture) env(extra ...string) []string {
	return baseEnv(append([]string{"OMNICAST_DATABASE_URL=" + f.url, "OMNICAST_SECRET_KEY=" + f.key}, extra...)...)
}

// channel connects an account of kind to the simulator, limited to
// perSecond requests.
func (f *sendFixture) channel(kind, externalID string, perSecond float64) *models.Channel {
	f.t.Helper()
	token, secret := "tok-"+externalID, "secret-"+externalID
	f.sim.AddAccount(sim.Account{Kind: kind, ExternalID: externalID, DisplayName: externalID, AccessToken: token, Secret: secret})
	ch, err := models.CreateChannel(f.db, f.sealer, models.ChannelInput{Kind: kind, Name: "ch " + externalID, ExternalID: externalID,
		Token: token, Secret: secret, APIBaseURL: f.base, RateLimit: perSecond})
	if err != nil {
		f.t.Fatal(err)
	}
	return ch
}

// people adds n subscribed people, inside the 24-hour window, on both
// sides and returns their contact ids.
func (f *sendFixture) people(ch *models.Channel, n int) []uint64 {
	f.t.Helper()
	now := time.Now().UTC()
	ps := sim.RandomPeople(n, int64(ch.ID)*7919, ch.Kind)
	cs := make([]models.Contact, len(ps))
	for i, p := range ps {
		f.sim.AddPerson(ch.ExternalID, p)
		cs[i] = models.Contact{ChannelID: ch.ID, ExternalID: p.ID, Name: p.Name, Subscribed: true, SubscribedAt: &now, LastInteractionAt: &now}
	}
	if err := f.db.CreateInBatches(cs, 1000).Error; err != nil {
		f.t.Fatal(err)
	}
	ids := make([]uint64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

// broadcast writes a scheduled broadcast of text to contacts as a
// confirmed, frozen one is: pending deliveries and their counters.
func (f *sendFixture) broadcast(ch *models.Channel, text string, at time.Time, contacts []uint64) *models.Broadcast {
	f.t.Helper()
	raw, _ := json.Marshal(models.BroadcastContent{Messages: []models.MessageSpec{{Type: models.MessageText, Text: text}}})
	n := int64(len(contacts))
	b := &models.Broadcast{ChannelID: ch.ID, Subject: text, Status: models.BroadcastScheduled, ScheduledAt: &at,
		Content: string(raw), ApplyTags: "[]", CreatedBy: 1, UpdatedBy: 1, AudienceCount: n, FrozenCount: n, PendingCount: n}
	if err := f.db.Create(b).Error; err != nil {
		f.t.Fatal(err)
	}
	ds := make([]models.Delivery, len(contacts))
	for i, c := range contacts {
		ds[i] = models.Delivery{BroadcastID: b.ID, ContactID: c, State: models.DeliveryPending, UpdatedAt: time.Now()}
	}
	if err := f.db.CreateInBatches(ds, 2000).Error; err != nil {
		f.t.Fatal(err)
	}
	return b
}

// states counts a broadcast's deliveries by state.
func (f *sendFixture) states(id uint) map[string]int64 {
	f.t.Helper()
	var rows []struct {
		State string
		N     int64
	}
	if err := f.db.Model(&models.Delivery{}).Select("state, COUNT(*) AS n").Where("broadcast_id = ?", id).
		Group("state").Scan(&rows).Error; err != nil {
		f.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out
}

// sentOn counts the simulator's record for one account.
func (f *sendFixture) sentOn(account string) int {
	n := 0
	for _, s := range f.sim.Sent() {
		if s.AccountID == account {
			n++
		}
	}
	return n
}

// checkCounters compares a broadcast's counters with its rows.
func (f *sendFixture) checkCounters(b *models.Broadcast) {
	f.t.Helper()
	st := f.states(b.ID)
	got := fmt.Sprint(b.PendingCount, b.SentCount, b.FailedCount, b.SkippedCount, b.UncertainCount)
	want := fmt.Sprint(st[models.DeliveryPending]+st[models.DeliveryClaimed], st[models.DeliverySent], st[models.DeliveryFailed],
		st[models.DeliverySkipped], st[models.DeliveryUncertain])
	if got != want {
		f.t.Errorf("broadcast %d counters (pending sent failed skipped uncertain) %s, rows say %s", b.ID, got, want)
	}
}
