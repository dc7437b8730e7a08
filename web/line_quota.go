package web

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"omnicast/models"
	"omnicast/views"
)

// quotaTTL is how long LINE's quota figures are reused: the contacts page
// is opened far more often than the figures change, and asking LINE (two
// calls, up to 3 s each) on every load would hold the page up.
const quotaTTL = 60 * time.Second

// quotaCache keeps each LINE channel's last quota answer (or failure) for
// quotaTTL; concurrent loads of a stale entry ask LINE once. Each instance
// keeps its own: a figure at most a minute old, labelled with its age.
type quotaCache struct {
	mu      sync.Mutex
	entries map[uint]quotaEntry
	group   singleflight.Group
}

type quotaEntry struct {
	info views.QuotaInfo
	at   time.Time // when it was asked for
	// asOf is when its figures were read, if earlier (a stored quota).
	asOf time.Time
}

// lineQuota returns this month's quota and usage of a LINE channel, from
// the cache when fresh; failures show a dash.
func (s *Server) lineQuota(ctx context.Context, ch *models.Channel) *views.QuotaInfo {
	now := s.now()
	s.quotas.mu.Lock()
	e, ok := s.quotas.entries[ch.ID]
	s.quotas.mu.Unlock()
	if !ok || now.Sub(e.at) >= quotaTTL || now.Before(e.at) {
		v, _, _ := s.quotas.group.Do(strconv.FormatUint(uint64(ch.ID), 10), func() (any, error) {
			fresh := quotaEntry{info: s.askLineQuota(context.WithoutCancel(ctx), ch), at: s.now()}
			if fresh.info.Unavailable {
				fresh = s.storedLineQuota(ch, fresh)
			}
			s.quotas.mu.Lock()
			if s.quotas.entries == nil {
				s.quotas.entries = map[uint]quotaEntry{}
			}
			s.quotas.entries[ch.ID] = fresh
			s.quotas.mu.Unlock()
			return fresh, nil
		})
		e = v.(quotaEntry)
	}
	info := e.info
	asOf := e.at
	if !e.asOf.IsZero() {
		asOf = e.asOf
	}
	info.AgeSeconds = int(max(now.Sub(asOf), 0) / time.Second)
	return &info
}

// askLineQuota asks LINE for the quota and this month's consumption.
func (s *Server) askLineQuota(ctx context.Context, ch *models.Channel) views.QuotaInfo {
	unavailable := views.QuotaInfo{Unavailable: true}
	secrets, err := ch.Secrets(s.sealer)
	if err != nil {
		return unavailable
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	clients, err := s.platforms.For(ch, secrets)
	if err != nil || clients.Quota == nil {
		return unavailable
	}
	q, err := clients.Quota.Quota(ctx)
	if err != nil {
		s.log.Info("LINE quota unavailable", "channel", ch.ID, "err", err)
		return unavailable
	}
	return views.QuotaInfo{Used: q.Used, Limit: q.Limit, Unlimited: q.Unlimited}
}

// storedQuotaAge bounds how old a stored quota may be to stand in for
// LINE's answer: the refresh job reads it every 5 minutes.
const storedQuotaAge = time.Hour

// storedLineQuota is the quota the periodic refresh last stored, when LINE
// could not be asked now (failed, unless none recent is stored): a figure
// labelled with its age beats a dash on the confirmation.
func (s *Server) storedLineQuota(ch *models.Channel, failed quotaEntry) quotaEntry {
	q, ok, err := models.StoredChannelQuota(s.db, ch.ID, storedQuotaAge, s.now())
	if err != nil {
		s.log.Warn("reading a stored LINE quota failed", "channel", ch.ID, "err", err)
	}
	if err != nil || !ok {
		return failed
	}
	return quotaEntry{info: views.QuotaInfo{Used: q.Used, Limit: q.MonthlyLimit, Unlimited: q.Unlimited}, at: failed.at, asOf: q.CheckedAt}
}
