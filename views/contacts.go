package views

import (
	"strconv"
	"strings"
)

// ContactsPage is the contact list's view model.
type ContactsPage struct {
	// Tabs are the channel kinds; each links to its first account.
	Tabs     []KindTab
	Kind     string
	Accounts []AccountOption
	// ChannelID is the selected account (0 when none is connected).
	ChannelID    uint
	CanBroadcast bool
	Subscribed   int64
	Unsubscribed int64
	Quota        *QuotaInfo
	Results      ContactResults
	Filter       FilterForm
	AllTags      []string
}

// KindTab is one channel-kind tab.
type KindTab struct {
	Kind   string
	Href   string
	Active bool
	// Disabled: no account of this kind is connected.
	Disabled bool
}

// AccountOption is one connected account in the picker.
type AccountOption struct {
	ID       uint
	Name     string
	Href     string
	Selected bool
}

// QuotaInfo is LINE's monthly message quota.
type QuotaInfo struct {
	Used      int64
	Limit     int64
	Unlimited bool
	// Unavailable: LINE could not be asked.
	Unavailable bool
	// AgeSeconds is how old the figures are (they are asked for at most
	// once a minute).
	AgeSeconds int
}

// ContactResults is the part of the page that the filter refreshes.
type ContactResults struct {
	ChannelID uint
	Kind      string
	// Count is the exact match count when it is known at once (the
	// account's totals); nil means the page asks CountHref for it.
	Count     *int64
	CountHref string
	// CountKey names the count element after the filter, so paging
	// through one filter keeps the count already shown.
	CountKey string
	// Query is the filter's canonical query string (no cursor).
	Query      string
	Conditions []string // the filter in words, translated
	Rows       []ContactRow
	NextHref   string
	PrevHref   string
	// SelectionKey scopes the browser-side selection to channel + filter.
	SelectionKey string
	CanBroadcast bool
	// Invalid: the filter has errors (shown in the filter form); no rows
	// are shown, and no "nothing matches".
	Invalid bool
	// CursorInvalid: the page link (after/before) was not one of ours.
	CursorInvalid bool
	CSRF          string
	// Skipped counts the contacts of the page that could not be read back.
	Skipped int
	// TagInput and TagError bring back a refused bulk-tag form: what was
	// typed and the catalogue id of the reason.
	TagInput string
	TagError string
	// KeepSelection is the selection a refused form carried (JSON
	// {"all","ids"}), for the page to restore.
	KeepSelection string
}

// CountView is the answer of the count request.
type CountView struct {
	N int64
	// Failed: counting did not finish in time; RetryHref asks again.
	Failed    bool
	RetryHref string
}

// ContactRow is one contact in the table.
type ContactRow struct {
	ID              uint64
	Name            string
	Initial         string
	PictureURL      string
	Phone           string
	Tags            []string
	SubscribedAt    string
	LastInteraction string
	Subscribed      bool
	// ShowWindow: Messenger rows say whether the 24-hour window is open.
	ShowWindow bool
	InWindow   bool
	// Tester: on the account's test list (a badge; the row menu toggles it).
	Tester bool
}

// FilterForm is the filter panel as filled in.
type FilterForm struct {
	ChannelID        uint
	SubscribedPreset string
	SubscribedFrom   string
	SubscribedTo     string
	InteractedPreset string
	InteractedFrom   string
	InteractedTo     string
	TagsAny          string
	TagsAll          string
	TagsNone         string
	Status           string
	Q                string
	Sort             string
	Open             bool
	Timezone         string
	// Errors are the fields in error, by query parameter.
	Errors FormErrors
}

// TimePresets lists the preset choices of a time filter (catalogue ids
// "filter.preset.<value>").
func TimePresets() []string { return []string{"", "today", "24h", "7d", "30d", "90d", "custom"} }

// AudiencePage shows a saved audience until the composer exists.
type AudiencePage struct {
	ID          uint
	ChannelName string
	Kind        string
	AllMatching bool
	Conditions  []string
	Count       int64
	BackHref    string
}

// TagsPage lists tags with counts.
type TagsPage struct {
	Tags   []TagRow
	Search string
	Sort   string
	Errors FormErrors
	// NewName keeps the add-tag input on error.
	NewName string
}

// TagRow is one tag on the tags page.
type TagRow struct {
	ID        uint
	Name      string
	Contacts  int64
	CreatedAt string
	// Channels are the tag's contacts per account, each linking to that
	// account's list of them (the number there is the same).
	Channels []TagChannelCount
}

// TagChannelCount is how many contacts of one account carry a tag.
type TagChannelCount struct {
	Name     string
	Kind     string
	Contacts int64
	Href     string
}

// Grouped writes n with thousands separators ("1,234,567"), as both
// zh-TW and English write counts.
func Grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
