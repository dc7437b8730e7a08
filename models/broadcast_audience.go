package models

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// audienceSel is a broadcast's audience made ready to query: the
// contacts of a filter (its tags resolved), or an explicit id list.
type audienceSel struct {
	channelID uint
	conds     *contactConds // a filter ("all matching")
	idsJSON   string        // explicit contact ids, a JSON array
	listed    int64         // how many ids the list holds
}

// resolveAudience reads an audience spec of a channel. Problems with what
// was asked for are field errors; err is for the database failing. zone
// is the time zone a filter's dates are read in ("" = the workspace's).
func resolveAudience(db *gorm.DB, channelID uint, a AudienceSpec, zone string) (audienceSel, []FieldError, error) {
	sel := audienceSel{channelID: channelID}
	field := func(code string, args map[string]any) []FieldError {
		return []FieldError{{Field: "audience", Code: code, Args: args}}
	}
	switch n := a.set(); {
	case n == 0:
		return sel, field("audience_required", nil), nil
	case n > 1:
		return sel, field("audience_ambiguous", nil), nil
	}
	loc, err := audienceLocation(db, zone)
	if err != nil {
		return sel, nil, err
	}
	switch {
	case a.AudienceID != nil:
		saved, err := FindAudience(db, *a.AudienceID)
		if errors.Is(err, ErrNotFound) || (err == nil && saved.ChannelID != channelID) {
			return sel, field("audience_not_found", nil), nil
		}
		if err != nil {
			return sel, nil, err
		}
		if !saved.AllMatching {
			sel.idsJSON, sel.listed = saved.ContactIDs, int64(len(saved.IDs()))
			return sel, nil, nil
		}
		f, ferrs := saved.ContactFilter(loc)
		if len(ferrs) > 0 {
			return sel, field("audience_filter_invalid", nil), nil
		}
		return sel.withFilter(db, f)
	case len(a.ExternalIDs) > 0:
		if len(a.ExternalIDs) > MaxExternalIDs {
			return sel, field("audience_too_many_ids", map[string]any{"max": MaxExternalIDs}), nil
		}
		found, err := contactIDsByExternal(db, channelID, a.ExternalIDs)
		if err != nil {
			return sel, nil, err
		}
		var unknown []string
		ids := make([]uint64, 0, len(found))
		for _, ext := range a.ExternalIDs {
			if id, ok := found[ext]; ok {
				ids = append(ids, id)
			} else if !slices.Contains(unknown, ext) {
				unknown = append(unknown, ext)
			}
		}
		if len(unknown) > 0 {
			return sel, field("audience_unknown_contacts", map[string]any{"count": len(unknown), "ids": unknown[:min(len(unknown), 5)]}), nil
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		raw, _ := json.Marshal(ids)
		sel.idsJSON, sel.listed = string(raw), int64(len(ids))
		return sel, nil, nil
	}
	q, err := url.ParseQuery(a.Filter)
	if err != nil {
		return sel, field("audience_filter_invalid", nil), nil
	}
	q.Set("channel", strconv.FormatUint(uint64(channelID), 10))
	f, ferrs := ParseContactFilter(q, loc)
	if len(ferrs) > 0 {
		keys := make([]string, 0, len(ferrs))
		for k := range ferrs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return sel, field("audience_filter_invalid", map[string]any{"param": keys[0]}), nil
	}
	return sel.withFilter(db, f)
}

func (sel audienceSel) withFilter(db *gorm.DB, f ContactFilter) (audienceSel, []FieldError, error) {
	c, err := f.resolve(db)
	if err != nil {
		return sel, nil, err
	}
	sel.conds = &c
	return sel, nil, nil
}

// audienceLocation is the zone named, else the workspace's.
func audienceLocation(db *gorm.DB, zone string) (*time.Location, error) {
	if zone != "" {
		if loc, err := time.LoadLocation(zone); err == nil {
			return loc, nil
		}
	}
	ws, err := LoadWorkspace(db, Workspace{Timezone: DefaultTimezone})
	if err != nil {
		return nil, err
	}
	return ws.Location(), nil
}

// where selects the audience's contacts (as they are at now), for a
// statement that reads them all: on SQLite a filter with a short id list
// (a tag, a name) starts from it, any other reads the table in order.
func (sel audienceSel) where(db *gorm.DB, now time.Time) *gorm.DB {
	how := accessScan
	if sel.conds != nil && sel.conds.hasDriver(db) {
		how = accessDriven
	}
	return sel.whereBy(db, now, how)
}

// whereBy is where with the access chosen by the caller.
func (sel audienceSel) whereBy(db *gorm.DB, now time.Time, how access) *gorm.DB {
	if sel.conds != nil {
		return sel.conds.where(db, now, how)
	}
	q := db.Model(&Contact{}).Where("contacts.channel_id = ?", sel.channelID)
	if IsPostgres(db) {
		return q.Where("contacts.id IN (SELECT (jsonb_array_elements_text(CAST(? AS jsonb)))::bigint)", sel.idsJSON)
	}
	return q.Where("contacts.id IN (SELECT value FROM json_each(?))", sel.idsJSON)
}
