package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Tag labels contacts for segmentation; names are unique in the workspace.
type Tag struct {
	ID        uint   `gorm:"primaryKey"`
	Name      string `gorm:"size:100;not null;uniqueIndex"`
	CreatedAt time.Time
}

// ContactTag links a contact to a tag.
type ContactTag struct {
	ContactID uint64 `gorm:"primaryKey;autoIncrement:false"`
	TagID     uint   `gorm:"primaryKey;autoIncrement:false;index"`
}

// ErrTagNameInvalid is returned for an empty or over-long tag name.
var ErrTagNameInvalid = errors.New("error.tag_name_invalid")

// NormalizeTagName trims a tag name and checks it.
func NormalizeTagName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 || strings.ContainsAny(name, ",;") {
		return "", ErrTagNameInvalid
	}
	return name, nil
}

// EnsureTags returns the tags with the given names, creating missing ones.
func EnsureTags(db *gorm.DB, names []string) ([]Tag, error) {
	clean := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		n, err := NormalizeTagName(n)
		if err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			clean = append(clean, n)
		}
	}
	if len(clean) == 0 {
		return nil, nil
	}
	rows := make([]Tag, len(clean))
	for i, n := range clean {
		rows[i] = Tag{Name: n}
	}
	if err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoNothing: true}).Create(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: create tags: %w", err)
	}
	var tags []Tag
	if err := db.Where("name IN ?", clean).Order("name").Find(&tags).Error; err != nil {
		return nil, fmt.Errorf("models: load tags: %w", err)
	}
	return tags, nil
}

// TagContacts puts tags on contacts (idempotent).
func TagContacts(db *gorm.DB, contactIDs []uint64, tags []Tag) error {
	if len(contactIDs) == 0 || len(tags) == 0 {
		return nil
	}
	links := make([]ContactTag, 0, len(contactIDs)*len(tags))
	for _, c := range contactIDs {
		for _, t := range tags {
			links = append(links, ContactTag{ContactID: c, TagID: t.ID})
		}
	}
	err := db.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(links, 500).Error
	if err != nil {
		return fmt.Errorf("models: tag contacts: %w", err)
	}
	return nil
}

// TagNamesByContact returns the tag names of each contact, sorted.
func TagNamesByContact(db *gorm.DB, contactIDs []uint64) (map[uint64][]string, error) {
	out := map[uint64][]string{}
	if len(contactIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ContactID uint64
		Name      string
	}
	err := db.Table("contact_tags").Select("contact_tags.contact_id, tags.name").
		Joins("JOIN tags ON tags.id = contact_tags.tag_id").
		Where("contact_tags.contact_id IN ?", contactIDs).Order("tags.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: load contact tags: %w", err)
	}
	for _, r := range rows {
		out[r.ContactID] = append(out[r.ContactID], r.Name)
	}
	return out, nil
}
