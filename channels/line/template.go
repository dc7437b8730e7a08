package line

import (
	"encoding/json"
	"fmt"
)

// Template is the body of a TemplateMessage: ButtonsTemplate or
// CarouselTemplate.
type Template interface {
	json.Marshaler
	validate() error
}

// LINE's template limits, in UTF-16 units.
const (
	maxTemplateTitle      = 40
	maxButtonsText        = 160
	maxButtonsActions     = 4
	maxCarouselColumns    = 10
	maxCarouselText       = 120
	maxCarouselActions    = 3
	maxTextWithImageTitle = 60 // buttons and carousel text when an image or title is shown
)

// Image options shared by buttons and carousel templates.
const (
	AspectRectangle = "rectangle" // 1.51:1, the default
	AspectSquare    = "square"    // 1:1
	SizeCover       = "cover"     // the image fills the area, cropped
	SizeContain     = "contain"   // the whole image is shown, letterboxed
)

// ButtonsTemplate is a card with an optional image and title, a text and 1–4
// buttons. Text is limited to 160 characters, or 60 when there is an image
// or a title.
type ButtonsTemplate struct {
	ThumbnailImageURL    string   `json:"thumbnailImageUrl,omitempty"`
	ImageAspectRatio     string   `json:"imageAspectRatio,omitempty"`
	ImageSize            string   `json:"imageSize,omitempty"`
	ImageBackgroundColor string   `json:"imageBackgroundColor,omitempty"`
	Title                string   `json:"title,omitempty"`
	Text                 string   `json:"text"`
	DefaultAction        Action   `json:"defaultAction,omitempty"`
	Actions              []Action `json:"actions"`
}

// MarshalJSON adds "type":"buttons".
func (t ButtonsTemplate) MarshalJSON() ([]byte, error) {
	type wire ButtonsTemplate
	return json.Marshal(struct {
		Type string `json:"type"`
		wire
	}{"buttons", wire(t)})
}

func (t ButtonsTemplate) validate() error {
	if err := checkImageOptions(t.ImageAspectRatio, t.ImageSize); err != nil {
		return err
	}
	c := column{ThumbnailImageURL: t.ThumbnailImageURL, ImageBackgroundColor: t.ImageBackgroundColor,
		Title: t.Title, Text: t.Text, DefaultAction: t.DefaultAction, Actions: t.Actions}
	return c.validate(maxButtonsText, maxButtonsActions)
}

// CarouselTemplate is 1–10 swipeable columns. LINE requires every column to
// have the same number of actions, and an image or a title in one column
// means one in every column.
type CarouselTemplate struct {
	Columns          []CarouselColumn `json:"columns"`
	ImageAspectRatio string           `json:"imageAspectRatio,omitempty"`
	ImageSize        string           `json:"imageSize,omitempty"`
}

// CarouselColumn is one card of a carousel: optional image and title, a
// text (≤ 120 characters, ≤ 60 with an image or title) and 1–3 actions.
type CarouselColumn struct {
	ThumbnailImageURL    string   `json:"thumbnailImageUrl,omitempty"`
	ImageBackgroundColor string   `json:"imageBackgroundColor,omitempty"`
	Title                string   `json:"title,omitempty"`
	Text                 string   `json:"text"`
	DefaultAction        Action   `json:"defaultAction,omitempty"`
	Actions              []Action `json:"actions"`
}

// MarshalJSON adds "type":"carousel".
func (t CarouselTemplate) MarshalJSON() ([]byte, error) {
	type wire CarouselTemplate
	return json.Marshal(struct {
		Type string `json:"type"`
		wire
	}{"carousel", wire(t)})
}

func (t CarouselTemplate) validate() error {
	if err := checkImageOptions(t.ImageAspectRatio, t.ImageSize); err != nil {
		return err
	}
	if len(t.Columns) == 0 || len(t.Columns) > maxCarouselColumns {
		return invalid("columns", "%d columns, 1 to %d allowed", len(t.Columns), maxCarouselColumns)
	}
	first := t.Columns[0]
	for i, col := range t.Columns {
		field := fmt.Sprintf("columns[%d]", i)
		if err := within(field, column(col).validate(maxCarouselText, maxCarouselActions)); err != nil {
			return err
		}
		if len(col.Actions) != len(first.Actions) {
			return invalid(field+".actions", "%d actions, but the first column has %d: every column needs the same number",
				len(col.Actions), len(first.Actions))
		}
		if (col.ThumbnailImageURL == "") != (first.ThumbnailImageURL == "") {
			return invalid(field+".thumbnailImageUrl", "either every column has an image or none does")
		}
		if (col.Title == "") != (first.Title == "") {
			return invalid(field+".title", "either every column has a title or none does")
		}
	}
	return nil
}

// column holds what buttons templates and carousel columns share, so their
// limits are checked by one function.
type column CarouselColumn

func (c column) validate(maxText, maxActions int) error {
	if c.ThumbnailImageURL != "" {
		if err := checkHTTPSURL("thumbnailImageUrl", c.ThumbnailImageURL); err != nil {
			return err
		}
	}
	if c.ImageBackgroundColor != "" && !isHexColor(c.ImageBackgroundColor) {
		return invalid("imageBackgroundColor", "must be an RGB colour like #FFFFFF")
	}
	if err := checkOptionalText("title", c.Title, maxTemplateTitle); err != nil {
		return err
	}
	if c.ThumbnailImageURL != "" || c.Title != "" {
		maxText = min(maxText, maxTextWithImageTitle)
	}
	if c.Text == "" {
		return invalid("text", "must not be empty")
	}
	if n := utf16Len(c.Text); n > maxText {
		if maxText == maxTextWithImageTitle {
			return invalid("text", "%d characters, at most %d allowed with an image or title", n, maxText)
		}
		return invalid("text", "%d characters, at most %d allowed", n, maxText)
	}
	if c.DefaultAction != nil {
		if err := validateAction("defaultAction", c.DefaultAction, false); err != nil {
			return err
		}
	}
	if len(c.Actions) == 0 || len(c.Actions) > maxActions {
		return invalid("actions", "%d actions, 1 to %d allowed", len(c.Actions), maxActions)
	}
	for i, a := range c.Actions {
		if err := validateAction(fmt.Sprintf("actions[%d]", i), a, true); err != nil {
			return err
		}
	}
	return nil
}

func checkImageOptions(aspect, size string) error {
	switch aspect {
	case "", AspectRectangle, AspectSquare:
	default:
		return invalid("imageAspectRatio", "must be %q or %q", AspectRectangle, AspectSquare)
	}
	switch size {
	case "", SizeCover, SizeContain:
	default:
		return invalid("imageSize", "must be %q or %q", SizeCover, SizeContain)
	}
	return nil
}

// isHexColor reports whether s is an RGB colour such as #FFFFFF, the only
// form LINE accepts for imageBackgroundColor.
func isHexColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range s[1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
