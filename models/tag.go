package models

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Tag labels contacts for segmentation. Names are unique in the workspace
// regardless of case and width: NameKey (TagKey of Name) carries the
// unique index, so "VIP", "vip" and "ＶＩＰ" are one tag, spelled as first
// written.
type Tag struct {
	ID        uint   `gorm:"primaryKey"`
	Name      string `gorm:"size:100;not null"`
	NameKey   string `gorm:"size:400;not null;uniqueIndex:idx_tags_name_key"`
	CreatedAt time.Time
}

// ContactTag links a contact to a tag.
type ContactTag struct {
	ContactID uint64 `gorm:"primaryKey;autoIncrement:false"`
	TagID     uint   `gorm:"primaryKey;autoIncrement:false;index"`
}

// Tag name rules, shared by every box that takes tag names (the tags page,
// the bulk tag box, a contact's tags, the filter, CSV import).
const (
	// TagNameMaxRunes is the longest tag name, in characters.
	TagNameMaxRunes = 100
	// tagKeyMaxRunes bounds the folded key (folding can lengthen a name).
	tagKeyMaxRunes = 400
	// TagSeparators separate tag names where several are typed in one box:
	// commas and semicolons, half- and full-width, and the ideographic
	// enumeration comma that Chinese writers use for lists. A tag name
	// cannot contain them.
	TagSeparators = ",，、;；"
)

// ErrTagNameInvalid is returned for an empty or over-long tag name, or one
// holding a separator.
var ErrTagNameInvalid = errors.New("error.tag_name_invalid")

// ErrTagExists is returned when a tag of that name (in any case) exists.
var ErrTagExists = errors.New("error.tag_exists")

// NormalizeTagName trims a tag name and checks it.
func NormalizeTagName(name string) (string, error) {
	name = strings.TrimSpace(CleanText(name, 0))
	if name == "" || utf8.RuneCountInString(name) > TagNameMaxRunes || strings.ContainsAny(name, TagSeparators) ||
		utf8.RuneCountInString(TagKey(name)) > tagKeyMaxRunes {
		return "", ErrTagNameInvalid
	}
	return name, nil
}

// TagKey is the identity of a tag name: compatibility-normalised (NFKC, so
// full-width Ｖ and half-width V are the same letter) and case-folded.
func TagKey(name string) string {
	return cases.Fold().String(norm.NFKC.String(strings.TrimSpace(name)))
}

// IsTagSeparator tells whether r is one of TagSeparators.
func IsTagSeparator(r rune) bool { return strings.ContainsRune(TagSeparators, r) }

// SplitTagNames reads tag names typed into one box ("VIP, 台北、新竹"):
// split on TagSeparators, trimmed, empty parts dropped, the first
// spelling of each tag kept. It does not validate the names.
func SplitTagNames(s string) []string {
	parts := strings.FieldsFunc(s, IsTagSeparator)
	out := make([]string, 0, len(parts))
	seen := map[string]bool{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" || seen[TagKey(p)] {
			continue
		}
		seen[TagKey(p)] = true
		out = append(out, p)
	}
	return out
}

// normalizeTagNames checks names and drops repeats of the same tag.
func normalizeTagNames(names []string) (clean, keys []string, err error) {
	seen := map[string]bool{}
	for _, n := range names {
		n, err := NormalizeTagName(n)
		if err != nil {
			return nil, nil, err
		}
		if k := TagKey(n); !seen[k] {
			seen[k] = true
			clean, keys = append(clean, n), append(keys, k)
		}
	}
	return clean, keys, nil
}

// EnsureTags returns the tags with the given names, creating missing ones.
// A name matches an existing tag regardless of case; map the result back
// to the names asked for with IndexTagsByName.
func EnsureTags(db *gorm.DB, names []string) ([]Tag, error) {
	clean, keys, err := normalizeTagNames(names)
	if err != nil {
		return nil, err
	}
	if len(clean) == 0 {
		return nil, nil
	}
	rows := make([]Tag, len(clean))
	for i, n := range clean {
		rows[i] = Tag{Name: n, NameKey: keys[i]}
	}
	if err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name_key"}}, DoNothing: true}).Create(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: create tags: %w", err)
	}
	var tags []Tag
	if err := db.Where("name_key IN ?", keys).Order("name").Find(&tags).Error; err != nil {
		return nil, fmt.Errorf("models: load tags: %w", err)
	}
	return tags, nil
}

// CreateTag adds one tag; ErrTagExists when a tag of that name exists in
// any case.
func CreateTag(db *gorm.DB, name string) (*Tag, error) {
	name, err := NormalizeTagName(name)
	if err != nil {
		return nil, err
	}
	tag := &Tag{Name: name, NameKey: TagKey(name)}
	res := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name_key"}}, DoNothing: true}).Create(tag)
	if res.Error != nil {
		return nil, fmt.Errorf("models: create tag: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, ErrTagExists
	}
	return tag, nil
}

// IndexTagsByName maps each name as written to the id of its tag among
// tags (matched by TagKey); names without a tag are left out.
func IndexTagsByName(names []string, tags []Tag) map[string]uint {
	byKey := make(map[string]uint, len(tags))
	for _, t := range tags {
		byKey[t.NameKey] = t.ID
	}
	out := make(map[string]uint, len(names))
	for _, n := range names {
		if id, ok := byKey[TagKey(n)]; ok {
			out[n] = id
		}
	}
	return out
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
		q = q.Where("tags.name_key LIKE ?", "%"+escapeLikeTag(TagKey(search))+"%")
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

// RenameTag renames a tag; changing only its case is allowed.
func RenameTag(db *gorm.DB, id uint, name string) error {
	name, err := NormalizeTagName(name)
	if err != nil {
		return err
	}
	key := TagKey(name)
	taken := func() (bool, error) {
		var n int64
		err := db.Model(&Tag{}).Where("name_key = ? AND id <> ?", key, id).Count(&n).Error
		return n > 0, err
	}
	if exists, err := taken(); err != nil {
		return fmt.Errorf("models: rename tag %d: %w", id, err)
	} else if exists {
		return ErrTagExists
	}
	res := db.Model(&Tag{}).Where("id = ?", id).Updates(map[string]any{"name": name, "name_key": key})
	if res.Error != nil {
		// A concurrent create or rename may have taken the name meanwhile.
		if exists, _ := taken(); exists {
			return ErrTagExists
		}
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

// FindTags returns the tags with the given names (in any case), creating
// none; map them back to the names with IndexTagsByName.
func FindTags(db *gorm.DB, names []string) ([]Tag, error) {
	if len(names) == 0 {
		return nil, nil
	}
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = TagKey(n)
	}
	var tags []Tag
	if err := db.Where("name_key IN ?", keys).Find(&tags).Error; err != nil {
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
