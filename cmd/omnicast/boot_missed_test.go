package main

import (
	"strings"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/models"
)

// Broadcasts whose time passed while omnicast was down: at boot the real
// binary starts the one less than --max-lateness late and marks the
// other missed, sending it to nobody.
func TestServeBootStartsLateBroadcastsAndMarksMissedOnes(t *testing.T) {
	f := newSendFixture(t)
	ch := f.channel(channels.KindLINE, "1650000703", 0)
	ids := f.people(ch, 30)
	late := f.broadcast(ch, "晚了一點", time.Now().Add(-25*time.Minute), ids)
	missed := f.broadcast(ch, "錯過了", time.Now().Add(-31*time.Minute), ids)
	p := startProc(t, omnicastBinary(t), f.env("OMNICAST_MAX_LATENESS=30m"), "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir())
	p.serving(60 * time.Second)
	waitFor(t, 30*time.Second, "the late broadcast sent at boot", func() bool {
		b, err := models.FindBroadcast(f.db, late.ID)
		return err == nil && b.Status == models.BroadcastDone
	})
	m, err := models.FindBroadcast(f.db, missed.ID)
	if err != nil || m.Status != models.BroadcastMissed || m.StartedAt != nil {
		t.Fatalf("the broadcast past the bound: %+v %v", m, err)
	}
	if st := f.states(missed.ID); st[models.DeliveryPending] != 30 {
		t.Fatalf("missed broadcast's deliveries %v", st)
	}
	if got := f.sentOn(ch.ExternalID); got != 30 {
		t.Fatalf("the simulator recorded %d messages, want the late broadcast's 30", got)
	}
	for _, s := range f.sim.Sent() {
		if strings.Contains(string(s.Body), "錯過了") {
			t.Fatal("the missed broadcast went out")
		}
	}
	if !strings.Contains(p.log(), `"msg":"broadcast missed`) {
		t.Errorf("the log does not say the broadcast was missed:\n%s", p.log())
	}
}
