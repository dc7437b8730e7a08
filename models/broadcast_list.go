package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// BroadcastListFilter narrows the report's list. Zero fields do not filter.
type BroadcastListFilter struct {
	Kind      string // channels.Kind*
	ChannelID uint   // one connected account
	Status    string
	CreatedBy uint
	// From and To bound the send time (planned or actual) as [From, To).
	From, To *time.Time
}

// BroadcastListRow is one broadcast of the list with its channel and
// creator.
type BroadcastListRow struct {
	Broadcast
	ChannelName string
	ChannelKind string
	CreatorName string
}

// SendTime is when the broadcast went out or is planned to: started, else
// scheduled, else (a draft) created.
func (b *Broadcast) SendTime() time.Time {
	switch {
	case b.StartedAt != nil:
		return *b.StartedAt
	case b.ScheduledAt != nil:
		return *b.ScheduledAt
	}
	return b.CreatedAt
}

// sendTimeSQL is SendTime in SQL.
const sendTimeSQL = "COALESCE(broadcasts.started_at, broadcasts.scheduled_at, broadcasts.created_at)"

// ListBroadcasts returns up to limit broadcasts matching f, newest first
// by id, after the cursor (the last id of the previous page; 0 for the
// first), and the cursor of the next page (0 when there is none).
func ListBroadcasts(db *gorm.DB, f BroadcastListFilter, after uint, limit int) ([]BroadcastListRow, uint, error) {
	q := broadcastListQuery(db, f)
	if after > 0 {
		q = q.Where("broadcasts.id < ?", after)
	}
	var rows []BroadcastListRow
	if err := q.Order("broadcasts.id DESC").Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("models: list broadcasts: %w", err)
	}
	var next uint
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	return rows, next, nil
}

// EachBroadcast calls fn for every broadcast matching f, newest first,
// reading a page at a time (the export).
func EachBroadcast(db *gorm.DB, f BroadcastListFilter, fn func(BroadcastListRow) error) error {
	var after uint
	for {
		rows, next, err := ListBroadcasts(db, f, after, 500)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		after = next
	}
}

// FindBroadcastRow loads one broadcast as a list row.
func FindBroadcastRow(db *gorm.DB, id uint) (*BroadcastListRow, error) {
	var rows []BroadcastListRow
	if err := broadcastListQuery(db, BroadcastListFilter{}).Where("broadcasts.id = ?", id).Limit(1).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: load broadcast %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

func broadcastListQuery(db *gorm.DB, f BroadcastListFilter) *gorm.DB {
	q := db.Table("broadcasts").
		Select("broadcasts.*, channels.name AS channel_name, channels.kind AS channel_kind, COALESCE(users.name, '') AS creator_name").
		Joins("JOIN channels ON channels.id = broadcasts.channel_id").
		Joins("LEFT JOIN users ON users.id = broadcasts.created_by")
	if f.Kind != "" {
		q = q.Where("channels.kind = ?", f.Kind)
	}
	if f.ChannelID != 0 {
		q = q.Where("broadcasts.channel_id = ?", f.ChannelID)
	}
	if f.Status != "" {
		q = q.Where("broadcasts.status = ?", f.Status)
	}
	if f.CreatedBy != 0 {
		q = q.Where("broadcasts.created_by = ?", f.CreatedBy)
	}
	if f.From != nil {
		q = q.Where(sendTimeSQL+" >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where(sendTimeSQL+" < ?", f.To.UTC())
	}
	return q
}

// ReportStatuses are the statuses staff filter the report by.
func ReportStatuses() []string {
	return []string{BroadcastDraft, BroadcastScheduled, BroadcastSending, BroadcastPaused, BroadcastDone, BroadcastCancelled, BroadcastMissed}
}

// Progress is how far sending has come.
type Progress struct {
	Done, Total int64
	// Left estimates the time to finish at the rate so far (0 when it
	// cannot be told yet).
	Left time.Duration
}

// Percent is Done of Total, 0–100.
func (p Progress) Percent() int {
	if p.Total <= 0 {
		return 0
	}
	return int(p.Done * 100 / p.Total)
}

// ProgressAt is the broadcast's progress at now: deliveries answered
// (sent, failed, skipped, uncertain) of those frozen.
func (b *Broadcast) ProgressAt(now time.Time) Progress {
	p := Progress{Done: b.SentCount + b.FailedCount + b.SkippedCount + b.UncertainCount, Total: b.FrozenCount}
	if p.Total == 0 {
		p.Total = b.AudienceCount
	}
	if b.StartedAt != nil && p.Done > 0 && p.Done < p.Total {
		el := now.Sub(*b.StartedAt)
		if el > 0 {
			p.Left = time.Duration(float64(el) * float64(p.Total-p.Done) / float64(p.Done)).Round(time.Second)
		}
	}
	return p
}
