package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The name parameter ({{name}}, a template parameter marked as the
// contact's name) uses the name the platform gives now when it gives one
// (Messenger, LINE profile APIs), else the stored name. The answer is
// cached on the contact (profile_name, profile_fetched_at) for
// ProfileTTL, so a person gets one profile look-up per TTL, not one per
// broadcast. The stored name (contacts.name, which staff may have
// imported or edited) is never overwritten by it.

// ProfileTTL is how long a fetched profile name is used before it is
// asked for again.
const ProfileTTL = 24 * time.Hour

// CachedProfile is a contact's cached profile name.
type CachedProfile struct {
	ContactID        uint64
	ProfileName      string
	ProfileFetchedAt *time.Time
}

// Fresh tells whether the cache entry can be used at now.
func (c CachedProfile) Fresh(now time.Time, ttl time.Duration) bool {
	return c.ProfileFetchedAt != nil && !c.ProfileFetchedAt.After(now.Add(time.Minute)) && now.Sub(*c.ProfileFetchedAt) < ttl
}

// CachedProfiles reads the cached profile names of contacts.
func CachedProfiles(db *gorm.DB, ids []uint64) (map[uint64]CachedProfile, error) {
	out := make(map[uint64]CachedProfile, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []CachedProfile
	if err := db.Model(&Contact{}).Select("id AS contact_id, profile_name, profile_fetched_at").Where("id IN ?", ids).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: read cached profile names: %w", err)
	}
	for _, r := range rows {
		out[r.ContactID] = r
	}
	return out, nil
}

// StoreProfileName caches the name the platform gave for a contact.
func StoreProfileName(db *gorm.DB, contactID uint64, name string, now time.Time) error {
	if err := db.Exec("UPDATE contacts SET profile_name = ?, profile_fetched_at = ? WHERE id = ?",
		CleanText(name, nameMax), now.UTC(), contactID).Error; err != nil {
		return fmt.Errorf("models: cache the profile name of contact %d: %w", contactID, err)
	}
	return nil
}
