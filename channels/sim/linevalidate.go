package sim

import (
	"encoding/json"
	"fmt"
	"unicode/utf16"

	"omnicast/channels"
)

// LINE message limits.
const (
	lineMaxText          = 5000
	lineMaxAltText       = 400
	lineMaxQuickReplies  = 13
	lineMaxButtonActions = 4
	lineMaxButtonsTitle  = 40
	lineMaxButtonsText   = 160
	lineMaxButtonsTextIm = 60
	lineMaxColumns       = 10
	lineMaxColumnActions = 3
)

// lineMsg holds the fields of a LINE message object the simulator checks.
type lineMsg struct {
	Type               string          `json:"type"`
	Text               *string         `json:"text"`
	PackageID          string          `json:"packageId"`
	StickerID          string          `json:"stickerId"`
	OriginalContentURL string          `json:"originalContentUrl"`
	PreviewImageURL    string          `json:"previewImageUrl"`
	Duration           *int64          `json:"duration"`
	Title              *string         `json:"title"`
	Address            *string         `json:"address"`
	Latitude           *float64        `json:"latitude"`
	Longitude          *float64        `json:"longitude"`
	BaseURL            string          `json:"baseUrl"`
	AltText            *string         `json:"altText"`
	Template           *lineTemplate   `json:"template"`
	Contents           json.RawMessage `json:"contents"`
	CouponID           string          `json:"couponId"`
	QuickReply         *struct {
		Items []json.RawMessage `json:"items"`
	} `json:"quickReply"`
}

// lineTemplate is a template message's template.
type lineTemplate struct {
	Type                 string            `json:"type"`
	Title                string            `json:"title"`
	Text                 string            `json:"text"`
	ThumbnailImageURL    string            `json:"thumbnailImageUrl"`
	Actions              []json.RawMessage `json:"actions"`
	Columns              []lineTemplate    `json:"columns"`
	DefaultAction        json.RawMessage   `json:"defaultAction"`
	ImageAspectRatio     string            `json:"imageAspectRatio"`
	ImageBackgroundColor string            `json:"imageBackgroundColor"`
}

// fetchableImageURL is LINE's https rule for images, with the one
// exception the simulator makes: plain http on a loopback host, which it
// (running on this machine) can fetch, so a local omnicast without TLS can
// show pictures. Real LINE refuses those; omnicast never sends them there
// (channels.ImageFetchProblem, line.Client).
func fetchableImageURL(u string) bool { return channels.FetchableImageURL(u) }

// utf16Len counts text the way LINE does, in UTF-16 code units.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// validateLINEMessages checks 1..5 message objects and returns LINE-style
// error details (none when valid).
func validateLINEMessages(msgs []json.RawMessage) []lineDetail {
	if len(msgs) < 1 || len(msgs) > lineMaxMessages {
		return []lineDetail{{"Size must be between 1 and 5", "messages"}}
	}
	var out []lineDetail
	for i, raw := range msgs {
		at := fmt.Sprintf("messages[%d]", i)
		var m lineMsg
		if err := json.Unmarshal(raw, &m); err != nil {
			out = append(out, lineDetail{"Must be an object", at})
			continue
		}
		out = append(out, validateLINEMessage(&m, at)...)
	}
	return out
}

func validateLINEMessage(m *lineMsg, at string) []lineDetail {
	var out []lineDetail
	need := func(ok bool, prop string) {
		if !ok {
			out = append(out, lineDetail{"Must be specified", at + "." + prop})
		}
	}
	https := func(u, prop string) {
		if u == "" {
			need(false, prop)
		} else if !fetchableImageURL(u) {
			out = append(out, lineDetail{"Must be a valid HTTPS URL", at + "." + prop})
		}
	}
	switch m.Type {
	case "text", "textV2":
		need(m.Text != nil && *m.Text != "", "text")
		if m.Text != nil && utf16Len(*m.Text) > lineMaxText {
			out = append(out, lineDetail{"Length must be between 0 and 5000", at + ".text"})
		}
	case "sticker":
		need(m.PackageID != "", "packageId")
		need(m.StickerID != "", "stickerId")
	case "image", "video":
		https(m.OriginalContentURL, "originalContentUrl")
		https(m.PreviewImageURL, "previewImageUrl")
	case "audio":
		https(m.OriginalContentURL, "originalContentUrl")
		need(m.Duration != nil, "duration")
	case "location":
		need(m.Title != nil, "title")
		need(m.Address != nil, "address")
		need(m.Latitude != nil, "latitude")
		need(m.Longitude != nil, "longitude")
	case "imagemap":
		https(m.BaseURL, "baseUrl")
		out = append(out, altText(m, at)...)
	case "template":
		out = append(out, altText(m, at)...)
		if m.Template == nil {
			need(false, "template")
		} else {
			out = append(out, validateLINETemplate(m.Template, at+".template")...)
		}
	case "flex":
		out = append(out, altText(m, at)...)
		need(len(m.Contents) > 0 && string(m.Contents) != "null", "contents")
	case "coupon":
		need(m.CouponID != "", "couponId")
	default:
		out = append(out, lineDetail{
			"Must be one of the following values: [text, textV2, image, video, audio, location, sticker, template, imagemap, flex, coupon]",
			at + ".type"})
	}
	if m.QuickReply != nil && len(m.QuickReply.Items) > lineMaxQuickReplies {
		out = append(out, lineDetail{"Size must be between 0 and 13", at + ".quickReply.items"})
	}
	return out
}

// altText checks a message's required altText.
func altText(m *lineMsg, at string) []lineDetail {
	switch {
	case m.AltText == nil || *m.AltText == "":
		return []lineDetail{{"Must be specified", at + ".altText"}}
	case utf16Len(*m.AltText) > lineMaxAltText:
		return []lineDetail{{"Length must be between 0 and 400", at + ".altText"}}
	}
	return nil
}

// validateLINETemplate checks buttons, confirm and carousel templates.
func validateLINETemplate(t *lineTemplate, at string) []lineDetail {
	var out []lineDetail
	bad := func(msg, prop string) { out = append(out, lineDetail{msg, at + "." + prop}) }
	switch t.Type {
	case "buttons":
		if n := len(t.Actions); n < 1 || n > lineMaxButtonActions {
			bad("Size must be between 1 and 4", "actions")
		}
		if utf16Len(t.Title) > lineMaxButtonsTitle {
			bad("Length must be between 0 and 40", "title")
		}
		if t.ThumbnailImageURL != "" && !fetchableImageURL(t.ThumbnailImageURL) {
			bad("Must be a valid HTTPS URL", "thumbnailImageUrl")
		}
		limit := lineMaxButtonsText
		if t.Title != "" || t.ThumbnailImageURL != "" {
			limit = lineMaxButtonsTextIm
		}
		if t.Text == "" {
			bad("Must be specified", "text")
		} else if utf16Len(t.Text) > limit {
			bad(fmt.Sprintf("Length must be between 0 and %d", limit), "text")
		}
	case "confirm":
		if len(t.Actions) != 2 {
			bad("Size must be 2", "actions")
		}
		if t.Text == "" {
			bad("Must be specified", "text")
		}
	case "carousel", "image_carousel":
		if n := len(t.Columns); n < 1 || n > lineMaxColumns {
			bad("Size must be between 1 and 10", "columns")
		}
		for i, c := range t.Columns {
			if n := len(c.Actions); t.Type == "carousel" && (n < 1 || n > lineMaxColumnActions) {
				bad("Size must be between 1 and 3", fmt.Sprintf("columns[%d].actions", i))
			}
			if c.ThumbnailImageURL != "" && !fetchableImageURL(c.ThumbnailImageURL) {
				bad("Must be a valid HTTPS URL", fmt.Sprintf("columns[%d].thumbnailImageUrl", i))
			}
			if i > 0 && len(c.Actions) != len(t.Columns[0].Actions) {
				bad("All columns must have the same number of actions", fmt.Sprintf("columns[%d].actions", i))
			}
		}
	default:
		bad("Must be one of the following values: [buttons, confirm, carousel, image_carousel]", "type")
	}
	return out
}
