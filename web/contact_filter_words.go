package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// describeFilter says a filter in words, in the user's language: for the
// chips above the results and for saved audiences. Dates show as they were
// entered: a custom range "2026-11-01 to 2026-11-30" keeps its last day,
// not the midnight after it that the query uses.
func describeFilter(c echo.Context, f models.ContactFilter, loc *time.Location) []string {
	var out []string
	if s := describeRange(c, f.Raw("subscribed_from"), f.Raw("subscribed_to"), f.SubscribedFrom, f.SubscribedTo, loc); s != "" {
		out = append(out, pair(c, "filter.subscription_time", s))
	}
	if s := describeRange(c, f.Raw("interacted_from"), f.Raw("interacted_to"), f.InteractedFrom, f.InteractedTo, loc); s != "" {
		out = append(out, pair(c, "filter.interaction_time", s))
	}
	if f.InteractedWithin > 0 {
		raw := f.Raw("interacted_within")
		span := describeSpan(c, raw)
		if _, preset := presetSpans()[raw]; preset {
			span = t(c, "filter.preset."+raw)
		}
		out = append(out, pair(c, "filter.interaction_time", span))
	}
	list := func(names []string) string { return strings.Join(names, t(c, "filter.list_separator")) }
	if len(f.TagsAny) > 0 {
		out = append(out, pair(c, "filter.tags_any", list(f.TagsAny)))
	}
	if len(f.TagsAll) > 0 {
		out = append(out, pair(c, "filter.tags_all", list(f.TagsAll)))
	}
	if len(f.TagsNone) > 0 {
		out = append(out, pair(c, "filter.tags_none", list(f.TagsNone)))
	}
	out = append(out, pair(c, "filter.status", t(c, "filter.status_"+f.Status)))
	if f.Q != "" {
		out = append(out, t(c, "filter.name_contains", "Q", f.Q))
	}
	return out
}

// describeRange says a time range as entered. A bound given as a day
// shows as that day (an upper day is included: "until 11-30"); a bound
// given as an instant shows in the workspace zone (an upper instant is
// excluded: "before 12-01 00:00").
func describeRange(c echo.Context, rawFrom, rawTo string, from, to *time.Time, loc *time.Location) string {
	shown := func(raw string, at *time.Time) (text string, day bool) {
		if _, err := time.Parse("2006-01-02", raw); err == nil {
			return raw, true
		}
		return at.In(loc).Format("2006-01-02 15:04"), false
	}
	switch {
	case from != nil && to != nil:
		a, _ := shown(rawFrom, from)
		b, _ := shown(rawTo, to)
		return t(c, "filter.range", "From", a, "To", b)
	case from != nil:
		a, _ := shown(rawFrom, from)
		return t(c, "filter.since", "Time", a)
	case to != nil:
		b, day := shown(rawTo, to)
		if day {
			return t(c, "filter.until", "Time", b)
		}
		return t(c, "filter.before", "Time", b)
	}
	return ""
}

// describeSpan says a relative span ("2w", "36h") in words: "Last 2 weeks".
func describeSpan(c echo.Context, raw string) string {
	if len(raw) < 2 {
		return raw
	}
	n, err := strconv.Atoi(raw[:len(raw)-1])
	if err != nil {
		return raw
	}
	switch unit := raw[len(raw)-1]; unit {
	case 'm', 'h', 'd', 'w':
		return t(c, "filter.within_"+string(unit), "N", n)
	}
	return raw
}

// pair renders "label: value" with the language's own punctuation.
func pair(c echo.Context, labelID, value string) string {
	return t(c, "filter.pair", "Label", t(c, labelID), "Value", value)
}
