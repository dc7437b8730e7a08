package models

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Contact statuses a filter can ask for.
const (
	StatusSubscribed   = "subscribed"
	StatusUnsubscribed = "unsubscribed"
	StatusAll          = "all"
)

// Sort orders of the contact list.
const (
	SortInteraction  = "interaction"
	SortSubscription = "subscription"
)

// ContactFilter selects contacts of one channel. Its query-string form
// (ParseContactFilter / Values) is the filter's one public form: the page
// URL, the JSON API and "send again with the same conditions" all use it.
type ContactFilter struct {
	ChannelID uint
	// Time bounds: From inclusive, To exclusive (a YYYY-MM-DD "to" is
	// turned into the next midnight, so the whole day is included).
	SubscribedFrom, SubscribedTo *time.Time
	InteractedFrom, InteractedTo *time.Time
	// InteractedWithin keeps contacts who interacted in the last span
	// (relative to the moment of the query).
	InteractedWithin time.Duration
	TagsAny          []string
	TagsAll          []string
	TagsNone         []string
	Status           string
	Q                string
	Sort             string
	// raw keeps the textual forms, so Values gives back what was asked.
	raw map[string]string
	// loc is the time zone the dates were read in.
	loc *time.Location
}

// Filter validation errors (catalogue ids).
var (
	ErrFilterChannel = errors.New("error.filter_channel")
	ErrFilterDate    = errors.New("error.filter_date")
	ErrFilterRange   = errors.New("error.filter_range")
	ErrFilterWithin  = errors.New("error.filter_within")
	ErrFilterStatus  = errors.New("error.filter_status")
	ErrFilterSort    = errors.New("error.filter_sort")
	ErrFilterTags    = errors.New("error.filter_tags")
	// ErrFilterText: a value holds a NUL byte or is not UTF-8 (no form
	// sends that; PostgreSQL refuses it and SQLite's LIKE would stop at
	// the NUL and match everyone).
	ErrFilterText = errors.New("error.filter_text")
)

// filterKeys lists the query parameters a filter reads, in canonical order.
func filterKeys() []string {
	return []string{"channel", "subscribed_from", "subscribed_to", "interacted_from", "interacted_to",
		"interacted_within", "tags_any", "tags_all", "tags_none", "status", "q", "sort"}
}

// ParseContactFilter reads a filter from its query-string form; dates
// without a time are days in loc. Every problem is reported per field.
func ParseContactFilter(v url.Values, loc *time.Location) (ContactFilter, FieldErrors) {
	if loc == nil {
		loc = time.UTC
	}
	f := ContactFilter{Status: StatusSubscribed, Sort: SortInteraction, raw: map[string]string{}, loc: loc}
	errs := FieldErrors{}
	for _, k := range filterKeys() {
		if s := v.Get(k); HasNUL(s) || !utf8.ValidString(s) {
			errs[k] = ErrFilterText
		}
	}
	get := func(k string) string {
		if errors.Is(errs[k], ErrFilterText) {
			return "" // reported; read as if absent
		}
		s := strings.TrimSpace(v.Get(k))
		if s != "" {
			f.raw[k] = s
		}
		return s
	}
	if s := get("channel"); s != "" {
		id, err := strconv.ParseUint(s, 10, 32)
		if err != nil || id == 0 {
			errs["channel"] = ErrFilterChannel
		}
		f.ChannelID = uint(id)
	}
	f.SubscribedFrom = parseBound(get("subscribed_from"), loc, false, "subscribed_from", errs)
	f.SubscribedTo = parseBound(get("subscribed_to"), loc, true, "subscribed_to", errs)
	f.InteractedFrom = parseBound(get("interacted_from"), loc, false, "interacted_from", errs)
	f.InteractedTo = parseBound(get("interacted_to"), loc, true, "interacted_to", errs)
	if f.SubscribedFrom != nil && f.SubscribedTo != nil && !f.SubscribedFrom.Before(*f.SubscribedTo) {
		errs["subscribed_to"] = ErrFilterRange
	}
	if f.InteractedFrom != nil && f.InteractedTo != nil && !f.InteractedFrom.Before(*f.InteractedTo) {
		errs["interacted_to"] = ErrFilterRange
	}
	if s := get("interacted_within"); s != "" {
		d, err := ParseSpan(s)
		if err != nil {
			errs["interacted_within"] = ErrFilterWithin
		}
		f.InteractedWithin = d
	}
	var err error
	for key, dst := range map[string]*[]string{"tags_any": &f.TagsAny, "tags_all": &f.TagsAll, "tags_none": &f.TagsNone} {
		if *dst, err = splitTags(get(key)); err != nil {
			errs[key] = ErrFilterTags
		}
	}
	if s := get("status"); s != "" {
		if s != StatusSubscribed && s != StatusUnsubscribed && s != StatusAll {
			errs["status"] = ErrFilterStatus
		}
		f.Status = s
	}
	f.Q = TruncateRunes(get("q"), 100)
	if s := get("sort"); s != "" {
		if s != SortInteraction && s != SortSubscription {
			errs["sort"] = ErrFilterSort
		}
		f.Sort = s
	}
	if len(errs) > 0 {
		return f, errs
	}
	return f, nil
}

// parseBound reads an RFC 3339 instant or a YYYY-MM-DD day in loc; an
// upper bound given as a day becomes the next midnight (exclusive).
func parseBound(s string, loc *time.Location, upper bool, field string, errs FieldErrors) *time.Time {
	if s == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t
	}
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		errs[field] = ErrFilterDate
		return nil
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	d = d.UTC()
	return &d
}

// ParseSpan reads "24h", "90m", "7d" or "2w" into a duration (at most 5 years).
func ParseSpan(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, ErrFilterWithin
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, ErrFilterWithin
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 || time.Duration(n) > 5*366*24*time.Hour/unit {
		return 0, ErrFilterWithin
	}
	return time.Duration(n) * unit, nil
}

// splitTags reads a list of tag names, separated as in every tag box
// (SplitTagNames).
func splitTags(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	out := SplitTagNames(s)
	for _, name := range out {
		if _, err := NormalizeTagName(name); err != nil {
			return nil, err
		}
	}
	if len(out) > 50 {
		return nil, ErrFilterTags
	}
	return out, nil
}

// Values is the filter's canonical query-string form.
func (f ContactFilter) Values() url.Values {
	v := url.Values{}
	if f.ChannelID != 0 {
		v.Set("channel", strconv.FormatUint(uint64(f.ChannelID), 10))
	}
	for _, k := range filterKeys()[1:] {
		if s := f.raw[k]; s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// WithChannel returns the filter for another channel, conditions kept.
func (f ContactFilter) WithChannel(id uint) ContactFilter {
	f.ChannelID = id
	return f
}

// IsDefault tells whether the filter only says "subscribed contacts".
func (f ContactFilter) IsDefault() bool {
	return f.SubscribedFrom == nil && f.SubscribedTo == nil && f.InteractedFrom == nil && f.InteractedTo == nil &&
		f.InteractedWithin == 0 && len(f.TagsAny)+len(f.TagsAll)+len(f.TagsNone) == 0 && f.Status == StatusSubscribed && f.Q == ""
}

// Location is the time zone the filter's dates were read in: the workspace
// zone at that moment. A saved filter is read again in it.
func (f ContactFilter) Location() *time.Location {
	if f.loc == nil {
		return time.UTC
	}
	return f.loc
}

// Raw returns the textual value of one filter parameter as given.
func (f ContactFilter) Raw(key string) string { return f.raw[key] }

// StatusOnly tells whether the filter's one condition is the subscription
// status: its count is the account's maintained total, known at once.
func (f ContactFilter) StatusOnly() bool {
	return f.SubscribedFrom == nil && f.SubscribedTo == nil && f.InteractedFrom == nil && f.InteractedTo == nil &&
		f.InteractedWithin == 0 && len(f.TagsAny)+len(f.TagsAll)+len(f.TagsNone) == 0 && f.Q == ""
}
