package models

import (
	"fmt"

	"gorm.io/gorm"
)

// MaxTestSend is how many testers a test send reaches (發送測試訊息).
const MaxTestSend = 5

// SetTester puts a contact on its channel's test list or takes it off.
func SetTester(db *gorm.DB, contactID uint64, tester bool) error {
	return setTester(db.Where("id = ?", contactID), contactID, tester)
}

// SetChannelTester is SetTester for a contact of the given channel only
// (the contacts page's row menu names both): another channel's contact is
// ErrNotFound.
func SetChannelTester(db *gorm.DB, channelID uint, contactID uint64, tester bool) error {
	return setTester(db.Where("id = ? AND channel_id = ?", contactID, channelID), contactID, tester)
}

func setTester(q *gorm.DB, contactID uint64, tester bool) error {
	res := q.Model(&Contact{}).Update("tester", tester)
	if res.Error != nil {
		return fmt.Errorf("models: set tester=%v on contact %d: %w", tester, contactID, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// ListTesters returns up to limit testers of a channel, by name then id
// (unreadable rows are left out and logged). Unsubscribed testers are
// listed too: the page says so, and a test send skips them.
func ListTesters(db *gorm.DB, channelID uint, limit int) ([]Contact, error) {
	rows, err := readContacts(db.Model(&Contact{}).Where("channel_id = ? AND tester = ?", channelID, true).Order("name, id").Limit(limit))
	if err != nil {
		return nil, fmt.Errorf("models: list testers of channel %d: %w", channelID, err)
	}
	testers, _ := readableContacts(rows, "testers list")
	return testers, nil
}

// CountTesters counts a channel's testers.
func CountTesters(db *gorm.DB, channelID uint) (int64, error) {
	var n int64
	if err := db.Model(&Contact{}).Where("channel_id = ? AND tester = ?", channelID, true).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count testers of channel %d: %w", channelID, err)
	}
	return n, nil
}
