package jobs

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"omnicast/channels"
	"omnicast/models"
)

// Rate shares: each instance sending on a channel leases a share of its
// limit in the database and renews it every shareRenew; it sends at
// limit × margin ÷ (live leases) through a token bucket with a burst of
// one. Smooth buckets whose rates sum to the limit keep every one-second
// window under it, however the windows fall (a per-second token count in
// the database would allow two seconds' worth across a boundary).
const (
	// A short renewal keeps a newcomer's settle short: while it settles,
	// the others already send at their smaller shares.
	shareRenew = 250 * time.Millisecond
	shareTTL   = 3 * shareRenew
	// shareSettle: a newcomer waits until the others have renewed (and so
	// counted it) before it sends.
	shareSettle = shareRenew + 200*time.Millisecond // 450 ms
)

// windowMargin is the part of the limit the departure window lets go in
// any sliding second: requests still reach the platform a little late
// and together (a second or two at 80/s), which the platform counts.
const windowMargin = 0.98

// LINE's multicast endpoint has its own limit (CHANNELS.md).
const lineMulticastRate = 200

// channelRates holds one channel's buckets in this instance.
type channelRates struct {
	d     *dispatcher
	ch    *models.Channel
	push  *rate.Limiter
	multi *rate.Limiter // LINE only
	// pushWin and multiWin hold this instance's part of the limit in
	// every sliding second as departed, whatever the goroutines' wake-up
	// jitter.
	pushWin, multiWin *window
	base              float64
	mbase             float64
	// pushLive and multiLive hold the instance counts lately seen.
	pushLive, multiLive liveHistory
	cancel              context.CancelFunc
	done                sync.WaitGroup
}

// channelLimit is the channel's configured push rate.
func channelLimit(ch *models.Channel) float64 {
	if ch.RateLimit > 0 {
		return ch.RateLimit
	}
	return models.DefaultRateLimit(ch.Kind)
}

// joinRates leases this instance's shares of the channel's limits, waits
// for the others to count it, and keeps the shares renewed until leave.
func (d *dispatcher) joinRates(ctx context.Context, ch *models.Channel) (*channelRates, error) {
	cr := &channelRates{d: d, ch: ch, base: channelLimit(ch) * d.cfg.RateMargin}
	// The bucket paces at the share (the limit × margin) with a burst of
	// ~20 ms of it, so a moment without a waiting request (a claim, a
	// record) is made up for; the window holds every sliding second of
	// departures to this instance's part of the limit itself.
	cr.push = rate.NewLimiter(rate.Limit(cr.base), burstOf(cr.base))
	cr.pushWin = newWindow(channelLimit(ch) * windowMargin)
	if ch.Kind == channels.KindLINE {
		cr.mbase = lineMulticastRate * d.cfg.RateMargin
		cr.multi = rate.NewLimiter(rate.Limit(cr.mbase), burstOf(cr.mbase))
		cr.multiWin = newWindow(lineMulticastRate * windowMargin)
	}
	shared, err := cr.renew()
	for n := 1; err != nil; n++ {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		d.dbWait(ctx, "leasing a rate share", err, n)
		shared, err = cr.renew()
	}
	// Always settle, then count again: two instances joining at once
	// each count only themselves in their own transaction; after the
	// settle both leases are visible to both. A later joiner sees ours
	// and settles while we renew.
	_ = shared
	sleep(ctx, shareSettle)
	if _, err := cr.renew(); err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	cr.cancel = cancel
	cr.done.Go(func() {
		t := time.NewTicker(shareRenew)
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
				if _, err := cr.renew(); err != nil {
					d.r.log.Debug("renewing a rate share failed", "channel", ch.ID, "err", err)
				}
			}
		}
	})
	return cr, nil
}

// renew renews the leases and sets the buckets to this instance's share;
// it tells whether another instance shares the channel.
func (cr *channelRates) renew() (bool, error) {
	db, inst, now := cr.d.r.cfg.DB, cr.d.r.cfg.Instance, cr.d.r.cfg.Now()
	live, err := models.LeaseRateShare(db, cr.ch.ID, models.LanePush, inst, shareTTL, now)
	if err != nil {
		return false, err
	}
	shared := live > 1
	live = int64(cr.pushLive.count(time.Now(), int(live)))
	cr.push.SetLimit(rate.Limit(cr.base / float64(live)))
	cr.push.SetBurst(burstOf(cr.base / float64(live)))
	cr.pushWin.resize(channelLimit(cr.ch) * windowMargin / float64(live))
	if cr.multi != nil {
		mlive, err := models.LeaseRateShare(db, cr.ch.ID, models.LaneMulticast, inst, shareTTL, now)
		if err != nil {
			return false, err
		}
		mlive = int64(cr.multiLive.count(time.Now(), int(mlive)))
		cr.multi.SetLimit(rate.Limit(cr.mbase / float64(mlive)))
		cr.multi.SetBurst(burstOf(cr.mbase / float64(mlive)))
		cr.multiWin.resize(lineMulticastRate * windowMargin / float64(mlive))
	}
	return shared, nil
}

func (cr *channelRates) leave() {
	cr.cancel()
	cr.done.Wait()
	if err := models.ReleaseRateShare(cr.d.r.cfg.DB, cr.ch.ID, cr.d.r.cfg.Instance); err != nil {
		cr.d.r.log.Warn("releasing a rate share failed; it expires by itself", "channel", cr.ch.ID, "err", err)
	}
}

// claimSize is how many push deliveries one worker claims: at most
// ~200 ms of this instance's share across the workers, so claimed rows
// are sent at once (a pause holds within a second, a crash leaves few
// unanswered), and at most batch.
func (cr *channelRates) claimSize(batch, workers int) int {
	n := int(float64(cr.push.Limit()) / 5 / float64(workers))
	return min(max(n, 1), batch)
}

// waitPush waits for a push token and says how long it waited. The
// caller then waits for departPush right before the request goes.
func (cr *channelRates) waitPush(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	err := cr.push.Wait(ctx)
	return time.Since(start), err
}

// departPush holds a push request until it keeps every sliding second of
// actual departures within the share: whatever ran between the token and
// now (a dispatch mark that several requests waited for together) cannot
// release a burst.
func (cr *channelRates) departPush(ctx context.Context) error {
	return cr.pushWin.wait(ctx)
}

// waitMulticast waits for a multicast token.
func (cr *channelRates) waitMulticast(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	err := cr.multi.Wait(ctx)
	if err == nil {
		err = cr.multiWin.wait(ctx)
	}
	return time.Since(start), err
}

// burstOf is a bucket's burst for perSecond: 20 ms of it, at least one.
func burstOf(perSecond float64) int { return max(int(perSecond/50), 1) }
