package jobs

import (
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/channels"
	"omnicast/channels/sim"
	"omnicast/models"
	"omnicast/models/dbtest"
)

// TestLineQuotaRefresh: the periodic job stores each LINE channel's
// monthly quota and use as the simulator reports them (after a
// broadcast used some), unlimited channels as unlimited; an older
// reading never replaces a newer one; the job is registered with the
// scheduler next to the other periodic jobs.
func TestLineQuotaRefresh(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newSendEnv(t, db, sim.Config{})
		limited := e.channel(channels.KindLINE, "line-quota", 0)
		e.sim.AddAccount(sim.Account{Kind: channels.KindLINE, ExternalID: limited.ExternalID, DisplayName: "q",
			AccessToken: "tok-" + limited.ExternalID, Secret: "secret-" + limited.ExternalID, MonthlyQuota: 1000})
		unlimited := e.channel(channels.KindLINE, "line-free", 0)
		e.channel(channels.KindMessenger, "page-quota", 0) // not LINE: no quota
		people := e.people(limited, 3)

		r := e.runner(nil)
		b := e.broadcast(limited, text("hello"), time.Now(), people, nil)
		if err := r.Schedule(b.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		e.waitStatus(b.ID, models.BroadcastDone, 20*time.Second)

		if err := r.refreshLineQuota(t.Context(), limited, nil); err != nil {
			t.Fatal(err)
		}
		r.refreshLineQuotas(t.Context())
		q, ok, err := models.StoredChannelQuota(db, limited.ID, time.Hour, time.Now())
		if err != nil || !ok {
			t.Fatalf("no stored quota: %v", err)
		}
		if q.Unlimited || q.MonthlyLimit != 1000 || q.Used != 3 || q.Remaining() != 997 || q.LineQuota().Remaining != 997 {
			t.Errorf("stored quota %+v, want 1000 with 3 used", q)
		}
		if q, ok, _ := models.StoredChannelQuota(db, unlimited.ID, time.Hour, time.Now()); !ok || !q.Unlimited {
			t.Errorf("unlimited channel's quota %+v (%v)", q, ok)
		}
		var n int64
		db.Model(&models.ChannelQuota{}).Count(&n)
		if n != 2 {
			t.Errorf("%d quotas stored, want the two LINE channels'", n)
		}
		// An older reading (a slower instance) does not replace it.
		if err := models.StoreChannelQuota(db, models.ChannelQuota{ChannelID: limited.ID, MonthlyLimit: 1000, Used: 0,
			CheckedAt: q.CheckedAt.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if again, _, _ := models.StoredChannelQuota(db, limited.ID, 0, time.Now()); again.Used != 3 {
			t.Errorf("an older reading replaced the newer: %+v", again)
		}
		if _, ok, _ := models.StoredChannelQuota(db, limited.ID, time.Minute, time.Now().Add(time.Hour)); ok {
			t.Errorf("a stale quota counts as known")
		}

		var names []string
		for _, j := range r.sched.s.Jobs() {
			names = append(names, j.Name())
		}
		for _, want := range []string{"apply-receipts", "run-taps", "refresh-line-quota", "refresh-wa-templates", "reclaim-claims", "prune-events"} {
			if !slices.Contains(names, want) {
				t.Errorf("periodic job %q not registered (have %v)", want, names)
			}
		}
	})
}
