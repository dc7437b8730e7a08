package views

import (
	"strconv"
	"strings"
)

// ReportPage is the report tab: the broadcasts list with its filters.
type ReportPage struct {
	CSS    string
	Filter ReportFilter
	// Channels and Creators fill the filters' choices.
	Channels []ReportOption
	Creators []ReportOption
	Rows     []ReportRow
	NextHref string
	// ExportHref downloads the list's date range as CSV.
	ExportHref string
	// NoneAtAll: the workspace has no broadcast yet (not only none matching).
	NoneAtAll bool
}

// ReportFilter holds the filter form's values as typed.
type ReportFilter struct {
	Kind, Channel, Status, Creator, From, To string
}

// ReportOption is one choice of a filter.
type ReportOption struct {
	Value, Label, Kind string
}

// ReportRow is one broadcast in the list.
type ReportRow struct {
	ID                                                        uint
	Subject, Kind, ChannelName, Status, When, Method, Creator string
	Audience, Sent, Delivered, Read, Failed, Skipped          int64
	Uncertain, Clicked                                        int64
	// Rates as shown ("87.5%"); DeliveredRate and ReadRate are "" where
	// the platform reports no receipts (LINE).
	SentRate, DeliveredRate, ReadRate, FailedRate, SkippedRate string
	// Progress of a sending (or paused) broadcast.
	ShowProgress bool
	Percent      int
	Left         string // estimated time left, in words; "" when unknown
	// PollHref refreshes the row every 2 s while it can still change.
	PollHref string
	Href     string
	EditHref string // set while staff may still edit it
	// CancelHref is the cancel form's action while staff may cancel it.
	CancelHref string
	PauseHref  string
	ResumeHref string
	CSRF       string
	Back       string
}

// funnelWidth is a funnel bar's width out of 360 for n of top.
func funnelWidth(n, top int64) string {
	if top <= 0 || n <= 0 {
		return "0"
	}
	return strconv.FormatFloat(360*float64(min(n, top))/float64(top), 'f', 1, 64)
}

// funnelRate is n of top as a whole percentage.
func funnelRate(n, top int64) string {
	if top <= 0 {
		return "—"
	}
	return strconv.FormatInt(n*100/top, 10) + "%"
}

// auditKey is the message id suffix of an audit action ("status:paused"
// → "status_paused").
func auditKey(action string) string {
	return strings.NewReplacer(":", "_", ".", "_").Replace(action)
}
