package messenger

// Message is the "message" object of a Send API request. Exactly one of
// Text and Attachment is set; QuickReplies may accompany either. Build it
// with Text, Image, ButtonTemplate or GenericTemplate so the platform's
// limits are checked before a broadcast starts rather than per recipient.
type Message struct {
	Text         string       `json:"text,omitempty"`
	Attachment   *Attachment  `json:"attachment,omitempty"`
	QuickReplies []QuickReply `json:"quick_replies,omitempty"`
}

// Attachment types and template types used by the builders.
const (
	AttachmentImage    = "image"
	AttachmentTemplate = "template"

	TemplateButton  = "button"
	TemplateGeneric = "generic"
)

// Attachment is a media attachment (image by URL) or a template.
type Attachment struct {
	Type    string            `json:"type"`
	Payload AttachmentPayload `json:"payload"`
}

// AttachmentPayload holds the fields of a media or template payload; only
// the ones relevant to the attachment type are set.
type AttachmentPayload struct {
	// Media: URL Meta fetches once; IsReusable lets it cache the upload so
	// a broadcast does not make Meta download the image for every person.
	URL        string `json:"url,omitempty"`
	IsReusable bool   `json:"is_reusable,omitempty"`

	// Templates.
	TemplateType string    `json:"template_type,omitempty"`
	Text         string    `json:"text,omitempty"`
	Buttons      []Button  `json:"buttons,omitempty"`
	Elements     []Element `json:"elements,omitempty"`
}

// Button types.
const (
	ButtonWebURL   = "web_url"
	ButtonPostback = "postback"
)

// Button is a template button: web_url opens URL, postback sends Payload
// back to the webhook as a postback event.
type Button struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	URL     string `json:"url,omitempty"`
	Payload string `json:"payload,omitempty"`
}

// URLButton returns a web_url button.
func URLButton(title, url string) Button {
	return Button{Type: ButtonWebURL, Title: title, URL: url}
}

// PostbackButton returns a postback button.
func PostbackButton(title, payload string) Button {
	return Button{Type: ButtonPostback, Title: title, Payload: payload}
}

// Element is one card of a generic template (carousel).
type Element struct {
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle,omitempty"`
	ImageURL string   `json:"image_url,omitempty"`
	Buttons  []Button `json:"buttons,omitempty"`
}

// QuickReplyText is the only quick-reply content type omnicast sends: the
// others (user_phone_number, user_email) hand personal data to the Page,
// which a broadcast has no use for.
const QuickReplyText = "text"

// QuickReply is a button shown above the composer; a tap comes back as a
// message event whose quick_reply.payload is Payload.
type QuickReply struct {
	ContentType string `json:"content_type"`
	Title       string `json:"title"`
	Payload     string `json:"payload"`
	ImageURL    string `json:"image_url,omitempty"`
}

// TextQuickReply returns a text quick reply.
func TextQuickReply(title, payload string) QuickReply {
	return QuickReply{ContentType: QuickReplyText, Title: title, Payload: payload}
}
