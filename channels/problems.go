package channels

import "net/url"

// Problem codes of the platform fit checks (Problem.Code). Each is worded
// in the user's language by the catalogue key "fit.<code>", which may use
// the Problem's Limit and Got.
const (
	ProblemInstagram           = "instagram_not_supported"  // Instagram takes no broadcasts
	ProblemUnknownChannel      = "unknown_channel"          // not a channel kind omnicast knows
	ProblemTemplateOnly        = "template_only"            // WhatsApp broadcasts are templates
	ProblemNoParts             = "no_parts"                 // nothing to send
	ProblemTooManyParts        = "too_many_parts"           // more bubbles than one request takes
	ProblemPartKind            = "part_kind"                // not a text, image or bot card
	ProblemTextEmpty           = "text_empty"               // a text or card text is required
	ProblemTextTooLong         = "text_too_long"            // text message
	ProblemCardTextTooLong     = "card_text_too_long"       // button-card / quick-reply text
	ProblemImageMissing        = "image_missing"            // an image part or card without its picture
	ProblemImageType           = "image_type"               // not JPEG or PNG
	ProblemImageTooLarge       = "image_too_large"          // over the channel's size limit
	ProblemPreviewTooLarge     = "preview_too_large"        // LINE's preview over 1 MB
	ProblemImageURL            = "image_url"                // not an absolute http(s) URL
	ProblemCardKind            = "card_kind"                // not one of the three module kinds
	ProblemButtonsCount        = "buttons_count"            // too few or too many buttons
	ProblemButtonTitleEmpty    = "button_title_empty"       // a button without a label
	ProblemButtonTitleTooLong  = "button_title_too_long"    // a label over the limit
	ProblemButtonTitleRepeated = "button_title_repeated"    // WhatsApp wants unique titles
	ProblemButtonType          = "button_type"              // neither URL nor reply
	ProblemButtonURL           = "button_url"               // not an absolute http(s) URL
	ProblemURLButton           = "url_button_not_supported" // WhatsApp reply buttons only
	ProblemCardsCount          = "cards_count"              // carousel cards
	ProblemCardTitleEmpty      = "card_title_empty"         // a carousel card without a title
	ProblemCardTitleTooLong    = "card_title_too_long"      // carousel card title
	ProblemSubtitleRequired    = "card_subtitle_required"   // LINE shows the subtitle as the column text
	ProblemSubtitleTooLong     = "card_subtitle_too_long"   // carousel card subtitle
	ProblemCarouselActions     = "carousel_actions_mismatch"
	ProblemCarouselImages      = "carousel_images_mismatch"
	ProblemCarousel            = "carousel_not_supported" // WhatsApp has no carousel for modules
	ProblemOptionsCount        = "options_count"          // quick-reply options
	ProblemOptionTitleEmpty    = "option_title_empty"
	ProblemOptionTitleTooLong  = "option_title_too_long"
	ProblemPayloadTooLong      = "payload_too_long" // staff payload over Meta's 1,000
)

// ProblemCodes lists every code, for the catalogue test.
func ProblemCodes() []string {
	return []string{ProblemInstagram, ProblemUnknownChannel, ProblemTemplateOnly, ProblemNoParts,
		ProblemTooManyParts, ProblemPartKind, ProblemTextEmpty, ProblemTextTooLong, ProblemCardTextTooLong,
		ProblemImageMissing, ProblemImageType, ProblemImageTooLarge, ProblemPreviewTooLarge, ProblemImageURL,
		ProblemCardKind, ProblemButtonsCount, ProblemButtonTitleEmpty, ProblemButtonTitleTooLong,
		ProblemButtonTitleRepeated, ProblemButtonType, ProblemButtonURL, ProblemURLButton, ProblemCardsCount,
		ProblemCardTitleEmpty, ProblemCardTitleTooLong, ProblemSubtitleRequired, ProblemSubtitleTooLong,
		ProblemCarouselActions, ProblemCarouselImages, ProblemCarousel, ProblemOptionsCount,
		ProblemOptionTitleEmpty, ProblemOptionTitleTooLong, ProblemPayloadTooLong}
}

// Prefixed returns ps with prefix + "." put before every field (a card's
// problems inside a content's part).
func Prefixed(prefix string, ps []Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		p.Field = joinField(prefix, p.Field)
		out[i] = p
	}
	return out
}

func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

// Checker collects fit problems; the platform packages use it so each
// limit reads as one line.
type Checker struct {
	Problems []Problem
}

// Add records one problem.
func (c *Checker) Add(field, code string, limit, got int) {
	c.Problems = append(c.Problems, Problem{Code: code, Field: field, Limit: limit, Got: got})
}

// Text checks a required text of at most max units (as counted by count):
// emptyCode when it is empty, longCode when too long.
func (c *Checker) Text(field, s string, max int, count func(string) int, emptyCode, longCode string) {
	if s == "" {
		if emptyCode != "" {
			c.Add(field, emptyCode, max, 0)
		}
		return
	}
	if n := count(s); n > max {
		c.Add(field, longCode, max, n)
	}
}

// Count checks that n is within lo..hi.
func (c *Checker) Count(field string, n, lo, hi int, code string) {
	if n < lo || n > hi {
		limit := hi
		if n < lo {
			limit = lo
		}
		c.Add(field, code, limit, n)
	}
}

// WebURL checks an absolute http(s) URL.
func (c *Checker) WebURL(field, raw, code string) {
	if !IsWebURL(raw) {
		c.Add(field, code, 0, 0)
	}
}

// IsWebURL reports whether raw is an absolute http or https URL with a host.
func IsWebURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// IsImageType reports whether a picture is of a type every channel takes.
func IsImageType(contentType string) bool {
	return contentType == "image/jpeg" || contentType == "image/png"
}
