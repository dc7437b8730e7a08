package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
)

// sendEnv is a database, a simulator and channels connected to it.
type sendEnv struct {
	t      testing.TB
	db     *gorm.DB
	sim    *sim.Sim
	base   string
	sealer *models.Sealer
}

func newSendEnv(t testing.TB, db *gorm.DB, cfg sim.Config) *sendEnv {
	t.Helper()
	if cfg.ReceiptDelay == 0 {
		cfg.ReceiptDelay = -1
	}
	s := sim.New(cfg)
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	sealer, err := models.NewSealer([]byte("0123456789abcdef0123456789abcdef-test"))
	if err != nil {
		t.Fatal(err)
	}
	return &sendEnv{t: t, db: db, sim: s, base: base, sealer: sealer}
}

// channel connects a channel of kind to the simulator with rate limit
// perSecond (0: the kind's default).
func (e *sendEnv) channel(kind, externalID string, perSecond float64) *models.Channel {
	e.t.Helper()
	token := "tok-" + externalID
	e.sim.AddAccount(sim.Account{Kind: kind, ExternalID: externalID, DisplayName: externalID, AccessToken: token, Secret: "secret-" + externalID})
	ch, err := models.CreateChannel(e.db, e.sealer, models.ChannelInput{Kind: kind, Name: "ch " + externalID, ExternalID: externalID,
		Token: token, Secret: "secret-" + externalID, APIBaseURL: e.base, RateLimit: perSecond, WABAID: "waba-" + externalID})
	if err != nil {
		e.t.Fatal(err)
	}
	return ch
}

// people adds n people to the channel on both sides and returns their
// contact ids; every one is subscribed and inside the 24-hour window.
func (e *sendEnv) people(ch *models.Channel, n int) []uint64 {
	e.t.Helper()
	now := time.Now().UTC()
	ps := sim.RandomPeople(n, int64(ch.ID), ch.Kind)
	contacts := make([]models.Contact, len(ps))
	for i, p := range ps {
		e.sim.AddPerson(ch.ExternalID, p)
		contacts[i] = models.Contact{ChannelID: ch.ID, ExternalID: p.ID, Name: p.Name, Subscribed: true,
			SubscribedAt: &now, LastInteractionAt: &now}
	}
	if err := e.db.CreateInBatches(contacts, 500).Error; err != nil {
		e.t.Fatal(err)
	}
	ids := make([]uint64, len(contacts))
	for i, c := range contacts {
		ids[i] = c.ID
	}
	return ids
}

// broadcast writes a scheduled broadcast to contacts, as a confirmed and
// frozen one is: pending deliveries and their counters.
func (e *sendEnv) broadcast(ch *models.Channel, content models.BroadcastContent, at time.Time, contacts []uint64, mod func(*models.Broadcast)) *models.Broadcast {
	e.t.Helper()
	raw, _ := json.Marshal(content)
	b := &models.Broadcast{ChannelID: ch.ID, Subject: "test", Status: models.BroadcastScheduled, ScheduledAt: &at,
		Content: string(raw), ApplyTags: "[]", CreatedBy: 1, UpdatedBy: 1,
		AudienceCount: int64(len(contacts)), FrozenCount: int64(len(contacts)), PendingCount: int64(len(contacts))}
	if mod != nil {
		mod(b)
	}
	if err := e.db.Create(b).Error; err != nil {
		e.t.Fatal(err)
	}
	ds := make([]models.Delivery, len(contacts))
	for i, c := range contacts {
		ds[i] = models.Delivery{BroadcastID: b.ID, ContactID: c, State: models.DeliveryPending, UpdatedAt: time.Now()}
	}
	if err := e.db.CreateInBatches(ds, 1000).Error; err != nil {
		e.t.Fatal(err)
	}
	return b
}

func text(s string) models.BroadcastContent {
	return models.BroadcastContent{Messages: []models.MessageSpec{{Type: models.MessageText, Text: s}}}
}

// runner starts a runner on the environment and stops it at cleanup.
func (e *sendEnv) runner(mod func(*Config)) *Runner {
	e.t.Helper()
	cfg := Config{DB: e.db, Logger: quietLog(), Sealer: e.sealer, Poll: 50 * time.Millisecond,
		Dispatch: DispatchConfig{Idle: 20 * time.Millisecond, BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond}}
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			e.t.Error(err)
		}
	})
	return r
}

// waitStatus waits for broadcast id to reach status.
func (e *sendEnv) waitStatus(id uint, status string, within time.Duration) *models.Broadcast {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for {
		b, err := models.FindBroadcast(e.db, id)
		if err == nil && b.Status == status {
			return b
		}
		if time.Now().After(deadline) {
			st := "?"
			if b != nil {
				st = fmt.Sprintf("%s pending=%d sent=%d failed=%d skipped=%d uncertain=%d", b.Status, b.PendingCount, b.SentCount,
					b.FailedCount, b.SkippedCount, b.UncertainCount)
			}
			e.t.Fatalf("broadcast %d not %s within %s: %s", id, status, within, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// states counts a broadcast's deliveries by state.
func (e *sendEnv) states(id uint) map[string]int64 {
	e.t.Helper()
	var rows []struct {
		State string
		N     int64
	}
	if err := e.db.Model(&models.Delivery{}).Select("state, COUNT(*) AS n").Where("broadcast_id = ?", id).Group("state").Scan(&rows).Error; err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out
}

// checkCounters compares a broadcast's maintained counters with its rows.
func (e *sendEnv) checkCounters(b *models.Broadcast) {
	e.t.Helper()
	st := e.states(b.ID)
	got := map[string]int64{"pending": b.PendingCount, "sent": b.SentCount, "failed": b.FailedCount, "skipped": b.SkippedCount, "uncertain": b.UncertainCount}
	want := map[string]int64{"pending": st[models.DeliveryPending] + st[models.DeliveryClaimed], "sent": st[models.DeliverySent],
		"failed": st[models.DeliveryFailed], "skipped": st[models.DeliverySkipped], "uncertain": st[models.DeliveryUncertain]}
	for k, v := range want {
		if got[k] != v {
			e.t.Errorf("broadcast %d counter %s = %d, rows say %d", b.ID, k, got[k], v)
		}
	}
}

// shortSenders are the channel clients with a short request timeout, for
// the simulator's timeout faults.
func shortSenders(sealer *models.Sealer, timeout time.Duration) SenderFactory {
	return channelSendersWith(sealer, &http.Client{Timeout: timeout})
}

var _ = channels.KindLINE
