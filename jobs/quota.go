package jobs

import (
	"context"
	"net/http"
	"time"

	"omnicast/channels"
	"omnicast/channels/connect"
	"omnicast/models"
)

// The LINE quota refresh: a periodic job reads every LINE channel's
// monthly quota and this month's use and stores them (channel_quotas),
// so the confirmation and the contacts page have a figure at most
// quotaEvery old on every instance.
const (
	// quotaEvery is how often the LINE quotas are read.
	quotaEvery = 5 * time.Minute
	// quotaTimeout bounds the two requests of one channel.
	quotaTimeout = 10 * time.Second
)

// refreshLineQuotas is the periodic job.
func (r *Runner) refreshLineQuotas(ctx context.Context) {
	if r.cfg.Sealer == nil {
		return
	}
	db := r.cfg.DB.WithContext(ctx)
	list, err := models.ListChannels(db)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("listing channels for the LINE quota refresh failed", "err", err)
		}
		return
	}
	hc := &http.Client{Timeout: quotaTimeout}
	for i := range list {
		ch := &list[i]
		if ch.Kind != channels.KindLINE || ctx.Err() != nil {
			continue
		}
		if err := r.refreshLineQuota(ctx, ch, hc); err != nil {
			r.log.Warn("refreshing a LINE quota failed; the last figure stays", "channel", ch.ID, "err", err)
		}
	}
	if err := models.DropOrphanQuotas(db); err != nil && ctx.Err() == nil {
		r.log.Warn("dropping quotas of deleted channels failed", "err", err)
	}
}

// refreshLineQuota reads and stores one channel's quota.
func (r *Runner) refreshLineQuota(ctx context.Context, ch *models.Channel, hc *http.Client) error {
	cc, err := ch.Connect(r.cfg.Sealer, nil)
	if err != nil {
		return err
	}
	clients, err := connect.Client(cc, hc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, quotaTimeout)
	defer cancel()
	q, err := clients.Quota.Quota(ctx)
	if err != nil {
		return err
	}
	return models.StoreChannelQuota(r.cfg.DB, models.ChannelQuota{ChannelID: ch.ID, Unlimited: q.Unlimited, MonthlyLimit: q.Limit,
		Used: q.Used, CheckedAt: r.cfg.Now()})
}
