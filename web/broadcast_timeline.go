package web

import (
	"context"
	"sync"
	"time"

	"omnicast/models"
	"omnicast/views"
	"omnicast/views/i18n"
)

// timelineFresh is the least time a computed timeline is shown again
// while the broadcast's counters keep moving; unchanged counters keep it
// as is. A timeline that took long to count is kept longer (20 times
// its counting time), so a large broadcast's open page costs the
// database a bounded share.
const timelineFresh = 10 * time.Second

// timelineSyncMax is the largest audience whose timeline is counted
// within the request; a larger one is counted in the background (one
// count per broadcast at a time) and the page shows the last one counted.
const timelineSyncMax = 50000

// timelineCacheMax bounds the cache (broadcast pages open at once).
const timelineCacheMax = 256

// timelineCache keeps each broadcast's last timeline with the counters
// it was counted at, so the page and its 2-second poll do not group the
// deliveries again until sends or reads moved.
type timelineCache struct {
	mu       sync.Mutex
	m        map[uint]timelineEntry
	counting map[uint]bool
}

type timelineEntry struct {
	sent, read int64
	status     string
	at         time.Time
	took       time.Duration
	buckets    []models.TimelineBucket
}

// get returns the cached timeline and whether it is still current.
func (tc *timelineCache) get(b *models.Broadcast, now time.Time) ([]models.TimelineBucket, bool, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.m[b.ID]
	if !ok {
		return nil, false, false
	}
	same := e.sent == b.SentCount && e.read == b.ReadCount && e.status == b.Status
	return e.buckets, true, same || now.Sub(e.at) < max(timelineFresh, 20*e.took)
}

func (tc *timelineCache) put(b *models.Broadcast, now time.Time, took time.Duration, buckets []models.TimelineBucket) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.m == nil || len(tc.m) >= timelineCacheMax {
		tc.m = map[uint]timelineEntry{}
	}
	tc.m[b.ID] = timelineEntry{sent: b.SentCount, read: b.ReadCount, status: b.Status, at: now, took: took, buckets: buckets}
}

// start marks broadcast id as being counted; false when it already is.
func (tc *timelineCache) start(id uint) bool {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.counting == nil {
		tc.counting = map[uint]bool{}
	}
	if tc.counting[id] {
		return false
	}
	tc.counting[id] = true
	return true
}

func (tc *timelineCache) done(id uint) {
	tc.mu.Lock()
	delete(tc.counting, id)
	tc.mu.Unlock()
}

// countTimeline counts b's timeline and caches it.
func (s *Server) countTimeline(b *models.Broadcast) ([]models.TimelineBucket, error) {
	now, t0 := s.now(), time.Now()
	buckets, err := models.BroadcastTimeline(s.db, b, now)
	if err != nil {
		return nil, err
	}
	s.timelines.put(b, now, time.Since(t0), buckets)
	return buckets, nil
}

// timelineOf is b's timeline: cached while current; counted now for a
// small audience; for a large one counted in the background, showing
// the last count meanwhile (pending: none yet).
func (s *Server) timelineOf(b *models.Broadcast) (buckets []models.TimelineBucket, pending bool, err error) {
	if _, _, ok := models.TimelineWindow(b, s.now()); !ok {
		return nil, false, nil
	}
	cached, have, current := s.timelines.get(b, s.now())
	if current {
		return cached, false, nil
	}
	if b.AudienceCount <= timelineSyncMax {
		buckets, err = s.countTimeline(b)
		return buckets, false, err
	}
	if s.timelines.start(b.ID) {
		copyB := *b
		go func() {
			defer s.timelines.done(copyB.ID)
			if _, err := s.countTimeline(&copyB); err != nil {
				s.log.Warn("count a broadcast's timeline", "broadcast", copyB.ID, "err", err)
			}
		}()
	}
	return cached, !have, nil
}

// reportTimeline is the page's picture of sends and reads per minute.
func (s *Server) reportTimeline(ctx context.Context, b *models.Broadcast) (views.ReportTimeline, error) {
	buckets, pending, err := s.timelineOf(b)
	if err != nil {
		return views.ReportTimeline{}, err
	}
	loc := s.Workspace().Location()
	tl := views.ReportTimeline{Title: i18n.T(ctx, "report.timeline"), SentLabel: i18n.T(ctx, "report.timeline_sent"),
		ReadLabel: i18n.T(ctx, "report.timeline_read"), Empty: i18n.T(ctx, "report.timeline_empty"),
		Help: i18n.T(ctx, "report.timeline_help", "Max", models.TimelineMaxMinutes)}
	if pending {
		tl.Empty = i18n.T(ctx, "report.timeline_counting")
	}
	if len(buckets) == 0 {
		return tl, nil
	}
	var sent, read int64
	for _, bk := range buckets {
		tl.Buckets = append(tl.Buckets, views.TimelineBar{Minute: bk.Minute.In(loc).Format("15:04"), Sent: bk.Sent, Read: bk.Read})
		sent, read = sent+bk.Sent, read+bk.Read
	}
	tl.From = buckets[0].Minute.In(loc).Format("01-02 15:04")
	tl.To = buckets[len(buckets)-1].Minute.In(loc).Format("15:04")
	tl.Desc = i18n.T(ctx, "report.timeline_desc", "Sent", views.Grouped(sent), "Read", views.Grouped(read),
		"Minutes", len(buckets), "From", tl.From, "To", tl.To)
	return tl, nil
}
