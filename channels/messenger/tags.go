package messenger

import (
	"errors"
	"fmt"
)

// Messaging types of the Send API.
const (
	// MessagingTypeUpdate: a proactive message inside the 24-hour window
	// opened by the person's last message, postback, quick-reply tap or
	// opt-in (omnicast's "standard message").
	MessagingTypeUpdate = "UPDATE"
	// MessagingTypeMessageTag: outside the window, allowed only for the
	// non-promotional purposes the tag names.
	MessagingTypeMessageTag = "MESSAGE_TAG"
	// MessagingTypeResponse: a reply to something the person just sent.
	MessagingTypeResponse = "RESPONSE"
)

// Message tags a broadcast may use outside the 24-hour window. HUMAN_AGENT
// is deliberately absent: it is for one-to-one replies written by a person,
// and using it for a broadcast breaks Meta's policy.
const (
	TagConfirmedEventUpdate = "CONFIRMED_EVENT_UPDATE"
	TagPostPurchaseUpdate   = "POST_PURCHASE_UPDATE"
	TagAccountUpdate        = "ACCOUNT_UPDATE"
)

// ErrTagNotAllowed is returned for a tag a broadcast may not use.
var ErrTagNotAllowed = errors.New("message tag not allowed for broadcasts")

// Tags lists the allowed message tags in display order.
func Tags() []string {
	return []string{TagConfirmedEventUpdate, TagPostPurchaseUpdate, TagAccountUpdate}
}

// ValidTag reports whether tag is one of Tags().
func ValidTag(tag string) bool {
	switch tag {
	case TagConfirmedEventUpdate, TagPostPurchaseUpdate, TagAccountUpdate:
		return true
	}
	return false
}

// SendOptions selects the messaging type of a send.
type SendOptions struct {
	// Tag empty: messaging_type UPDATE (inside the 24-hour window).
	// Otherwise messaging_type MESSAGE_TAG with this tag, which must be
	// one of Tags().
	Tag string
	// Response marks a direct answer to the person's own message or
	// postback (messaging_type RESPONSE). It cannot be combined with Tag.
	Response bool
}

// messagingType returns the messaging_type and tag fields for opts.
func (o SendOptions) messagingType() (string, string, error) {
	switch {
	case o.Tag == "" && o.Response:
		return MessagingTypeResponse, "", nil
	case o.Tag == "":
		return MessagingTypeUpdate, "", nil
	case o.Response:
		return "", "", fmt.Errorf("%w: a response cannot carry tag %q", ErrTagNotAllowed, o.Tag)
	case !ValidTag(o.Tag):
		return "", "", fmt.Errorf("%w: %q", ErrTagNotAllowed, o.Tag)
	}
	return MessagingTypeMessageTag, o.Tag, nil
}
