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

// TagWithCount is a tag and how many contacts carry it.
type TagWithCount struct {
	Tag
	Contacts int64
}

// ListTagsWithCounts returns every tag with its contact count; sort is
// "count" (most used first) or "created" (newest first), else by name.
func ListTagsWithCounts(db *gorm.DB, search, sort string) ([]TagWithCount, error) {
	q := db.Table("tags").Select("tags.id, tags.name, tags.created_at, COUNT(contact_tags.contact_id) AS contacts").
		Joins("LEFT JOIN contact_tags ON contact_tags.tag_id = tags.id").Group("tags.id, tags.name, tags.created_at")
	if search = strings.TrimSpace(search); search != "" {
		q = q.Where("tags.name LIKE ?", "%"+escapeLikeTag(search)+"%")
	}
	switch sort {
	case "count":
		q = q.Order("contacts DESC, tags.name")
	case "created":
		q = q.Order("tags.created_at DESC, tags.id DESC")
	default:
		q = q.Order("tags.name")
	}
	var out []TagWithCount
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list tags: %w", err)
	}
	return out, nil
}

func escapeLikeTag(s string) string { return strings.NewReplacer("%", "", "_", "").Replace(s) }

// ErrTagExists is returned when renaming onto an existing name.
var ErrTagExists = errors.New("error.tag_exists")

// RenameTag renames a tag.
func RenameTag(db *gorm.DB, id uint, name string) error {
	name, err := NormalizeTagName(name)
	if err != nil {
		return err
	}
	var n int64
	if err := db.Model(&Tag{}).Where("name = ? AND id <> ?", name, id).Count(&n).Error; err != nil {
		return fmt.Errorf("models: rename tag: %w", err)
	}
	if n > 0 {
		return ErrTagExists
	}
	res := db.Model(&Tag{}).Where("id = ?", id).Update("name", name)
	if res.Error != nil {
		return fmt.Errorf("models: rename tag %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteTag removes a tag from every contact and deletes it.
func DeleteTag(db *gorm.DB, id uint) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("tag_id = ?", id).Delete(&ContactTag{}).Error; err != nil {
			return fmt.Errorf("models: delete tag %d links: %w", id, err)
		}
		res := tx.Delete(&Tag{}, id)
		if res.Error != nil {
			return fmt.Errorf("models: delete tag %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// FindTags returns the tags with the given names, creating none.
func FindTags(db *gorm.DB, names []string) ([]Tag, error) {
	var tags []Tag
	if err := db.Where("name IN ?", names).Find(&tags).Error; err != nil {
		return nil, fmt.Errorf("models: find tags: %w", err)
	}
	return tags, nil
}

// ListTagNames returns every tag name, sorted: a cheap list for pickers
// (no per-tag counts, which read every tag link).
func ListTagNames(db *gorm.DB) ([]string, error) {
	var names []string
	if err := db.Model(&Tag{}).Order("name").Pluck("name", &names).Error; err != nil {
		return nil, fmt.Errorf("models: list tag names: %w", err)
	}
	return names, nil
}
