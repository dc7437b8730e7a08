package models

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Setting is one workspace-wide key/value pair.
type Setting struct {
	Key       string `gorm:"primaryKey;size:64"`
	Value     string `gorm:"not null"`
	UpdatedAt time.Time
}

// Setting keys.
const (
	SettingTimezone  = "timezone"
	SettingPublicURL = "public_url"
)

// DefaultTimezone is the workspace zone when nothing else is configured.
const DefaultTimezone = "Asia/Taipei"

// Workspace is the admin-editable workspace configuration.
type Workspace struct {
	Timezone  string
	PublicURL string
}

// Location returns the workspace time zone (UTC if it cannot be loaded).
func (w Workspace) Location() *time.Location {
	loc, err := time.LoadLocation(w.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Validation errors for settings.
var (
	ErrTimezoneInvalid  = errors.New("error.timezone_invalid")
	ErrPublicURLInvalid = errors.New("error.public_url_invalid")
)

// Validate normalises and checks the workspace settings.
func (w *Workspace) Validate() FieldErrors {
	errs := FieldErrors{}
	w.Timezone = strings.TrimSpace(w.Timezone)
	w.PublicURL = strings.TrimRight(strings.TrimSpace(w.PublicURL), "/")
	if _, err := time.LoadLocation(w.Timezone); err != nil || w.Timezone == "" || w.Timezone == "Local" {
		errs["timezone"] = ErrTimezoneInvalid
	}
	if w.PublicURL != "" {
		u, err := url.Parse(w.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs["public_url"] = ErrPublicURLInvalid
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// LoadWorkspace reads the workspace settings, using defaults for keys never saved.
func LoadWorkspace(db *gorm.DB, defaults Workspace) (Workspace, error) {
	var rows []Setting
	if err := db.Where("key IN ?", []string{SettingTimezone, SettingPublicURL}).Find(&rows).Error; err != nil {
		return defaults, fmt.Errorf("models: load settings: %w", err)
	}
	w := defaults
	for _, r := range rows {
		switch r.Key {
		case SettingTimezone:
			w.Timezone = r.Value
		case SettingPublicURL:
			w.PublicURL = r.Value
		}
	}
	return w, nil
}

// SaveWorkspace validates and stores the workspace settings.
func SaveWorkspace(db *gorm.DB, w Workspace) error {
	if errs := w.Validate(); errs != nil {
		return errs
	}
	rows := []Setting{{Key: SettingTimezone, Value: w.Timezone}, {Key: SettingPublicURL, Value: w.PublicURL}}
	err := db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("models: save settings: %w", err)
	}
	return nil
}
