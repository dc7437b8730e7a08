package web

import (
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"omnicast/models"
)

// describeFilter says a filter in words, in the user's language: for the
// chips above the results and for saved audiences.
func describeFilter(c echo.Context, f models.ContactFilter, loc *time.Location) []string {
	var out []string
	span := func(from, to *time.Time) string {
		day := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
		switch {
		case from != nil && to != nil:
			return day(*from) + " – " + day(*to)
		case from != nil:
			return t(c, "filter.since", "Time", day(*from))
		case to != nil:
			return t(c, "filter.before", "Time", day(*to))
		}
		return ""
	}
	if s := span(f.SubscribedFrom, f.SubscribedTo); s != "" {
		out = append(out, pair(c, "filter.subscription_time", s))
	}
	if s := span(f.InteractedFrom, f.InteractedTo); s != "" {
		out = append(out, pair(c, "filter.interaction_time", s))
	}
	if f.InteractedWithin > 0 {
		span := t(c, "filter.within", "Span", f.Raw("interacted_within"))
		if _, preset := presetSpans()[f.Raw("interacted_within")]; preset {
			span = t(c, "filter.preset."+f.Raw("interacted_within"))
		}
		out = append(out, pair(c, "filter.interaction_time", span))
	}
	list := func(names []string) string { return strings.Join(names, "、") }
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

// pair renders "label: value" with the language's own punctuation.
func pair(c echo.Context, labelID, value string) string {
	return t(c, "filter.pair", "Label", t(c, labelID), "Value", value)
}
