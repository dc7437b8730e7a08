package models

import (
	"fmt"
	"slices"

	"gorm.io/gorm"
)

// TagChannelCounts returns, per tag id, how many contacts of each channel
// carry it (channels with none are left out), exactly. Only the channels
// other than the largest are read link by link: the largest one's figure
// is the tag's total less theirs. With one account, or one big one beside
// small ones, this costs little more than counting the links (at a million
// links a join of every link with its contact takes seconds on SQLite).
func TagChannelCounts(db *gorm.DB) (map[uint]map[uint]int64, error) {
	out := map[uint]map[uint]int64{}
	var totals []struct {
		TagID uint
		N     int64
	}
	if err := db.Model(&ContactTag{}).Select("tag_id, COUNT(*) AS n").Group("tag_id").Scan(&totals).Error; err != nil {
		return nil, fmt.Errorf("models: count tag links: %w", err)
	}
	if len(totals) == 0 {
		return out, nil
	}
	var sizes []struct {
		ChannelID uint
		N         int64
	}
	err := db.Model(&ContactCount{}).Select("channel_id, SUM(subscribed + unsubscribed) AS n").
		Group("channel_id").Having("SUM(subscribed + unsubscribed) > 0").Scan(&sizes).Error
	if err != nil {
		return nil, fmt.Errorf("models: channel sizes: %w", err)
	}
	if len(sizes) == 0 {
		return out, nil
	}
	slices.SortFunc(sizes, func(a, b struct {
		ChannelID uint
		N         int64
	}) int {
		if a.N != b.N {
			return int(b.N - a.N)
		}
		return int(a.ChannelID) - int(b.ChannelID)
	})
	rest := map[uint]int64{} // links in the smaller channels, per tag
	for _, ch := range sizes[1:] {
		var rows []struct {
			TagID uint
			N     int64
		}
		// From the channel's contacts to their links (CROSS JOIN keeps
		// SQLite in that order; PostgreSQL plans it itself).
		err := db.Raw(`SELECT ct.tag_id, COUNT(*) AS n FROM contacts c CROSS JOIN contact_tags ct
 WHERE c.channel_id = ? AND ct.contact_id = c.id GROUP BY ct.tag_id`, ch.ChannelID).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("models: count tags of channel %d: %w", ch.ChannelID, err)
		}
		for _, r := range rows {
			addTagCount(out, r.TagID, ch.ChannelID, r.N)
			rest[r.TagID] += r.N
		}
	}
	for _, t := range totals {
		addTagCount(out, t.TagID, sizes[0].ChannelID, t.N-rest[t.TagID])
	}
	return out, nil
}

func addTagCount(m map[uint]map[uint]int64, tag, channel uint, n int64) {
	if n == 0 {
		return
	}
	if m[tag] == nil {
		m[tag] = map[uint]int64{}
	}
	m[tag][channel] = n
}
