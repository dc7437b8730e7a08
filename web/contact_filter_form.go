package web

import (
	"net/url"
	"strings"
	"time"

	"omnicast/models"
	"omnicast/views"
)

// presetSpans are the relative presets of the time filters.
func presetSpans() map[string]time.Duration {
	return map[string]time.Duration{"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "90d": 90 * 24 * time.Hour}
}

// canonicalFilterQuery turns what the filter panel sent (presets, date
// inputs) into the filter's public query-string form. Parameters already in
// that form (links, the API) pass through unchanged.
func canonicalFilterQuery(in url.Values, loc *time.Location, now time.Time) url.Values {
	out := url.Values{}
	for k, v := range in {
		switch k {
		case "subscribed_preset", "interacted_preset", "panel", "after", "before":
		default:
			out[k] = v
		}
	}
	today := now.In(loc).Format("2006-01-02")
	if preset, ok := in["subscribed_preset"]; ok {
		out.Del("subscribed_from")
		out.Del("subscribed_to")
		switch p := first(preset); p {
		case "today":
			out.Set("subscribed_from", today)
		case "24h":
			out.Set("subscribed_from", now.Add(-24*time.Hour).UTC().Format(time.RFC3339))
		case "7d", "30d", "90d":
			days := int(presetSpans()[p] / (24 * time.Hour))
			out.Set("subscribed_from", now.In(loc).AddDate(0, 0, 1-days).Format("2006-01-02"))
		case "custom":
			setIf(out, "subscribed_from", in.Get("subscribed_from"))
			setIf(out, "subscribed_to", in.Get("subscribed_to"))
		}
	}
	if preset, ok := in["interacted_preset"]; ok {
		out.Del("interacted_from")
		out.Del("interacted_to")
		out.Del("interacted_within")
		switch p := first(preset); p {
		case "today":
			out.Set("interacted_from", today)
		case "24h", "7d", "30d", "90d":
			out.Set("interacted_within", p)
		case "custom":
			setIf(out, "interacted_from", in.Get("interacted_from"))
			setIf(out, "interacted_to", in.Get("interacted_to"))
		}
	}
	for k, v := range out {
		if len(v) == 0 || strings.TrimSpace(v[0]) == "" {
			out.Del(k)
		}
	}
	if out.Get("status") == models.StatusSubscribed {
		out.Del("status") // the default
	}
	if out.Get("sort") == models.SortInteraction {
		out.Del("sort")
	}
	return out
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func setIf(v url.Values, k, s string) {
	if strings.TrimSpace(s) != "" {
		v.Set(k, s)
	}
}

// filterForm shows a canonical query in the panel's terms.
func filterForm(q url.Values, loc *time.Location, now time.Time, open bool) views.FilterForm {
	f := views.FilterForm{
		TagsAny: q.Get("tags_any"), TagsAll: q.Get("tags_all"), TagsNone: q.Get("tags_none"),
		Status: q.Get("status"), Q: q.Get("q"), Sort: q.Get("sort"), Open: open, Timezone: loc.String(),
	}
	if f.Status == "" {
		f.Status = models.StatusSubscribed
	}
	today := now.In(loc).Format("2006-01-02")
	f.SubscribedPreset, f.SubscribedFrom, f.SubscribedTo = presetOf(q.Get("subscribed_from"), q.Get("subscribed_to"), "", today, loc)
	f.InteractedPreset, f.InteractedFrom, f.InteractedTo = presetOf(q.Get("interacted_from"), q.Get("interacted_to"), q.Get("interacted_within"), today, loc)
	return f
}

func presetOf(from, to, within, today string, loc *time.Location) (preset, fromDay, toDay string) {
	if _, ok := presetSpans()[within]; ok && from == "" && to == "" {
		return within, "", ""
	}
	if from == today && to == "" && within == "" {
		return "today", "", ""
	}
	if from == "" && to == "" && within == "" {
		return "", "", ""
	}
	return "custom", dayOf(from, loc), dayOf(to, loc)
}

// dayOf shows a bound as a date input value.
func dayOf(s string, loc *time.Location) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(loc).Format("2006-01-02")
	}
	return s
}
