package web

import (
	"net/url"
	"slices"
	"time"

	"omnicast/models"
	"omnicast/views"
)

// reportFilter reads the report list's filter from a query string: what
// it understands becomes the models filter, and the form shows the values
// as typed. A date the form cannot read is dropped, not an error: the list
// then shows everything for that bound.
func reportFilter(q url.Values, loc *time.Location) (models.BroadcastListFilter, views.ReportFilter) {
	shown := views.ReportFilter{Kind: q.Get("kind"), Channel: q.Get("channel"), Status: q.Get("status"),
		Creator: q.Get("creator"), From: q.Get("from"), To: q.Get("to")}
	var f models.BroadcastListFilter
	if slices.Contains([]string{"messenger", "line", "whatsapp", "instagram"}, shown.Kind) {
		f.Kind = shown.Kind
	} else {
		shown.Kind = ""
	}
	if id, ok := parseID(shown.Channel); ok {
		f.ChannelID = id
	} else {
		shown.Channel = ""
	}
	if slices.Contains(models.ReportStatuses(), shown.Status) {
		f.Status = shown.Status
	} else {
		shown.Status = ""
	}
	if id, ok := parseID(shown.Creator); ok {
		f.CreatedBy = id
	} else {
		shown.Creator = ""
	}
	if t, err := time.ParseInLocation("2006-01-02", shown.From, loc); err == nil {
		f.From = &t
	} else {
		shown.From = ""
	}
	if t, err := time.ParseInLocation("2006-01-02", shown.To, loc); err == nil {
		end := t.AddDate(0, 0, 1) // the whole last day
		f.To = &end
	} else {
		shown.To = ""
	}
	return f, shown
}

// reportQuery is the filter as a query string (for the next page and the
// export links).
func reportQuery(v views.ReportFilter) url.Values {
	q := url.Values{}
	for k, val := range map[string]string{"kind": v.Kind, "channel": v.Channel, "status": v.Status, "creator": v.Creator, "from": v.From, "to": v.To} {
		if val != "" {
			q.Set(k, val)
		}
	}
	return q
}
