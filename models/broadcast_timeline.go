package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// TimelineMaxMinutes bounds the timeline: at most this many one-minute
// buckets are counted and drawn.
const TimelineMaxMinutes = 120

// TimelineBucket is one minute of a broadcast: messages sent in it and
// read receipts received in it.
type TimelineBucket struct {
	Minute time.Time
	Sent   int64
	Read   int64
}

// TimelineWindow is the minutes a broadcast's timeline covers: from the
// minute sending started, at most TimelineMaxMinutes; while it is still
// sending and has gone on longer, the last TimelineMaxMinutes up to now.
// ok is false when nothing was sent (no query is needed then).
func TimelineWindow(b *Broadcast, now time.Time) (from, to time.Time, ok bool) {
	if b.StartedAt == nil || b.SentCount == 0 {
		return time.Time{}, time.Time{}, false
	}
	span := TimelineMaxMinutes * time.Minute
	from = b.StartedAt.UTC().Truncate(time.Minute)
	end := now.UTC().Truncate(time.Minute).Add(time.Minute)
	if b.FinishedAt != nil && b.Status != BroadcastSending {
		if f := b.FinishedAt.UTC().Truncate(time.Minute).Add(time.Minute); f.Before(end) {
			end = f
		}
	}
	if b.Status == BroadcastSending && end.Sub(from) > span {
		from = end.Add(-span)
	}
	to = from.Add(span)
	if end.After(from) && end.Before(to) {
		to = end
	}
	if !to.After(from) {
		to = from.Add(time.Minute)
	}
	return from, to, true
}

// BroadcastTimeline counts a broadcast's sends and reads per minute of
// sent_at and read_at over TimelineWindow, one bucket per minute (empty
// minutes included). It groups in the database and reads only the rows
// of the window through the (broadcast_id, sent_at) and (broadcast_id,
// read_at) indexes (migration 0023); callers cache it (web keeps it
// until the counters move).
func BroadcastTimeline(db *gorm.DB, b *Broadcast, now time.Time) ([]TimelineBucket, error) {
	from, to, ok := TimelineWindow(b, now)
	if !ok {
		return nil, nil
	}
	n := int(to.Sub(from) / time.Minute)
	out := make([]TimelineBucket, n)
	for i := range out {
		out[i].Minute = from.Add(time.Duration(i) * time.Minute)
	}
	for _, col := range []string{"sent_at", "read_at"} {
		minute := "strftime('%Y-%m-%d %H:%M', " + col + ")"
		if IsPostgres(db) {
			minute = "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
		}
		var rows []struct {
			M string
			N int64
		}
		if err := db.Raw("SELECT "+minute+" AS m, COUNT(*) AS n FROM deliveries WHERE broadcast_id = ? AND "+col+" >= ? AND "+col+" < ? GROUP BY 1",
			b.ID, from, to).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("models: timeline of broadcast %d (%s): %w", b.ID, col, err)
		}
		for _, r := range rows {
			t, err := time.Parse("2006-01-02 15:04", r.M)
			if err != nil {
				continue
			}
			i := int(t.Sub(from) / time.Minute)
			if i < 0 || i >= n {
				continue
			}
			if col == "sent_at" {
				out[i].Sent += r.N
			} else {
				out[i].Read += r.N
			}
		}
	}
	return out, nil
}
