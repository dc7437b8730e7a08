package views

import "strings"

// ChannelCard is one connected account on the channels page.
type ChannelCard struct {
	ID          uint
	Kind        string
	Name        string
	ExternalID  string
	WABAID      string
	WebhookURL  string
	VerifyToken string
	TokenHint   string
	SecretHint  string
	RateLimit   string
	APIBaseURL  string
	Official    bool // API base URL is the platform's own host
	// Templates and ApprovedTemplates count synced WhatsApp templates.
	Templates         int
	ApprovedTemplates int
	// TagLocked: tagged broadcasts are locked (see the channel's page).
	TagLocked bool
}

// ChannelsPageData is the channels page's view model.
type ChannelsPageData struct {
	Channels []ChannelCard
	// PublicURLMissing: webhook URLs fall back to the address the admin
	// uses, which platforms may not reach.
	PublicURLMissing bool
}

// ChannelForm is the add / edit channel form.
type ChannelForm struct {
	ID          uint // 0 when adding
	Kind        string
	Name        string
	ExternalID  string
	WABAID      string
	VerifyToken string
	APIBaseURL  string
	Rate        string
	TokenHint   string
	SecretHint  string
	Errors      FormErrors
}

// Editing tells whether the form edits an existing channel.
func (f ChannelForm) Editing() bool { return f.ID != 0 }

// ChannelTestResult is the outcome of "Test connection".
type ChannelTestResult struct {
	OK      bool
	Account string // the platform's name for the account
	Error   string // the platform's answer, in its words
}

// channelLabels are the catalogue ids of each kind's form labels: external
// id, token, secret.
func channelLabels(kind string) (external, token, secret string) {
	switch kind {
	case "line":
		return "channel.line_channel_id", "channel.line_token", "channel.line_secret"
	case "whatsapp":
		return "channel.wa_phone_id", "channel.wa_token", "channel.app_secret"
	case "instagram":
		return "channel.ig_account_id", "channel.ig_token", "channel.app_secret"
	}
	return "channel.page_id", "channel.page_token", "channel.app_secret"
}

// urlParts cuts a URL after each "/", "." and "?" so it can wrap at those
// points, never inside a word; the parts joined are the URL.
func urlParts(u string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(u); i++ {
		if strings.ContainsRune("/.?&=", rune(u[i])) && !(u[i] == '/' && i+1 < len(u) && u[i+1] == '/') {
			parts = append(parts, u[start:i+1])
			start = i + 1
		}
	}
	if start < len(u) {
		parts = append(parts, u[start:])
	}
	return parts
}
