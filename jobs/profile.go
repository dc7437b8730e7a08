package jobs

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"omnicast/channels/connect"
	"omnicast/models"
)

// profileTimeout bounds one profile look-up made while sending.
const profileTimeout = 3 * time.Second

// profileNames gives the name parameter of personalised content: the
// platform's current profile name (cached per contact for
// models.ProfileTTL), else the stored name. It is nil for a channel whose
// client reads no profiles (WhatsApp: names arrive with each message).
type profileNames struct {
	r       *Runner
	p       connect.Profiler
	ttl     time.Duration
	fetched atomic.Int64 // look-ups made
	failed  atomic.Int64 // look-ups failed (the stored name was used)
	warned  atomic.Bool
}

// newProfileNames returns the channel's profile names, or nil when its
// sender cannot read profiles.
func newProfileNames(r *Runner, s Sender) *profileNames {
	if m, ok := s.(multiSender); ok {
		s = m.Sender
	}
	p, ok := s.(connect.Profiler)
	if !ok {
		return nil
	}
	return &profileNames{r: r, p: p, ttl: models.ProfileTTL}
}

// batchNames is one claimed batch's cached profile names; nil when the
// content has no name parameter (then nothing is read or asked).
type batchNames struct {
	pn    *profileNames
	cache map[uint64]models.CachedProfile
}

// batch reads the cached names of the people about to be sent to, only
// when the content is personalised.
func (pn *profileNames) batch(ctx context.Context, st *sendState, rows []models.Claimed, send []int) *batchNames {
	if pn == nil || !st.content.Personalised() || len(send) == 0 {
		return nil
	}
	ids := make([]uint64, len(send))
	for j, i := range send {
		ids[j] = rows[i].ContactID
	}
	cache, err := models.CachedProfiles(pn.r.cfg.DB.WithContext(ctx), ids)
	if err != nil {
		// Look-ups go on without the cache; the stored name stays the fallback.
		pn.r.log.Warn("reading cached profile names failed", "err", err)
		cache = map[uint64]models.CachedProfile{}
	}
	return &batchNames{pn: pn, cache: cache}
}

// of returns the name to fill in for row: the cached profile name while
// fresh, else a new look-up (stored for the next time), else the stored
// name. A look-up that fails falls back silently, with a log line.
func (b *batchNames) of(ctx context.Context, row models.Claimed) string {
	if b == nil {
		return row.Name
	}
	pn := b.pn
	now := pn.r.cfg.Now()
	if c, ok := b.cache[row.ContactID]; ok && c.Fresh(now, pn.ttl) {
		return orStored(c.ProfileName, row.Name)
	}
	ctx, cancel := context.WithTimeout(ctx, profileTimeout)
	defer cancel()
	pn.fetched.Add(1)
	prof, err := pn.p.Profile(ctx, row.ExternalID)
	if err != nil {
		n := pn.failed.Add(1)
		if pn.warned.CompareAndSwap(false, true) {
			pn.r.log.Warn("profile look-up failed; the stored name is used", "contact", row.ContactID, "err", err)
		} else if n%1000 == 0 {
			pn.r.log.Info("profile look-ups keep failing; stored names are used", "failed", n)
		}
		return row.Name
	}
	name := strings.TrimSpace(prof.Name)
	if err := models.StoreProfileName(pn.r.cfg.DB, row.ContactID, name, now); err != nil {
		pn.r.log.Warn("caching a profile name failed", "contact", row.ContactID, "err", err)
	}
	return orStored(name, row.Name)
}

func orStored(fresh, stored string) string {
	if fresh != "" {
		return fresh
	}
	return stored
}
