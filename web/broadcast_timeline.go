package web

import (
	"context"
	"sync"
	"time"

	"omnicast/models"
	"omnicast/views"
	"omnicast/views/i18n"
)

// timelineFresh is how long a computed timeline is shown again while the
// broadcast's counters keep moving; unchanged counters keep it as is.
const timelineFresh = 10 * time.Second

// timelineCacheMax bounds the cache (broadcast pages open at once).
const timelineCacheMax = 256

// timelineCache keeps each broadcast's last timeline with the counters
// it was counted at, so the page and its 2-second poll do not group the
// deliveries again until sends or reads moved (and then at most every
// timelineFresh).
type timelineCache struct {
	mu sync.Mutex
	m  map[uint]timelineEntry
}

type timelineEntry struct {
	sent, read int64
	status     string
	at         time.Time
	buckets    []models.TimelineBucket
}

func (tc *timelineCache) get(b *models.Broadcast, now time.Time) ([]models.TimelineBucket, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.m[b.ID]
	if !ok {
		return nil, false
	}
	same := e.sent == b.SentCount && e.read == b.ReadCount && e.status == b.Status
	if same || now.Sub(e.at) < timelineFresh {
		return e.buckets, true
	}
	return nil, false
}

func (tc *timelineCache) put(b *models.Broadcast, now time.Time, buckets []models.TimelineBucket) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.m == nil || len(tc.m) >= timelineCacheMax {
		tc.m = map[uint]timelineEntry{}
	}
	tc.m[b.ID] = timelineEntry{sent: b.SentCount, read: b.ReadCount, status: b.Status, at: now, buckets: buckets}
}

// reportTimeline is the page's picture of sends and reads per minute.
func (s *Server) reportTimeline(ctx context.Context, b *models.Broadcast) (views.ReportTimeline, error) {
	now := s.now()
	buckets, ok := s.timelines.get(b, now)
	if !ok {
		var err error
		if buckets, err = models.BroadcastTimeline(s.db, b, now); err != nil {
			return views.ReportTimeline{}, err
		}
		s.timelines.put(b, now, buckets)
	}
	loc := s.Workspace().Location()
	tl := views.ReportTimeline{Title: i18n.T(ctx, "report.timeline"), SentLabel: i18n.T(ctx, "report.timeline_sent"),
		ReadLabel: i18n.T(ctx, "report.timeline_read"), Empty: i18n.T(ctx, "report.timeline_empty"),
		Help: i18n.T(ctx, "report.timeline_help", "Max", models.TimelineMaxMinutes)}
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
