package line

import (
	"encoding/json"
	"net/url"
)

// Action is what happens when a person taps a template button or a quick
// reply item. The implementations are PostbackAction, URIAction and
// MessageAction: the three kinds omnicast offers in broadcasts.
type Action interface {
	json.Marshaler
	// validate checks the action; labelRequired is false only for a
	// template's defaultAction, which shows no label.
	validate(labelRequired bool) error
}

// LINE's action limits.
const (
	maxActionLabel  = 20
	maxPostbackData = 300
	maxDisplayText  = 300
	maxMessageText  = 300
	maxURIAction    = 1000
)

// PostbackAction sends Data back to omnicast in a postback webhook event
// (channels.EventPostback with Payload = Data). DisplayText, when set, is
// shown in the chat as if the person had typed it.
type PostbackAction struct {
	Label       string `json:"label,omitempty"`
	Data        string `json:"data"`
	DisplayText string `json:"displayText,omitempty"`
}

// MarshalJSON adds "type":"postback".
func (a PostbackAction) MarshalJSON() ([]byte, error) {
	type wire PostbackAction
	return json.Marshal(struct {
		Type string `json:"type"`
		wire
	}{"postback", wire(a)})
}

func (a PostbackAction) validate(labelRequired bool) error {
	if err := checkLabel(a.Label, labelRequired); err != nil {
		return err
	}
	if err := checkText("data", a.Data, maxPostbackData); err != nil {
		return err
	}
	return checkOptionalText("displayText", a.DisplayText, maxDisplayText)
}

// URIAction opens URI (http, https, line or tel) in the person's LINE app.
type URIAction struct {
	Label string `json:"label,omitempty"`
	URI   string `json:"uri"`
}

// MarshalJSON adds "type":"uri".
func (a URIAction) MarshalJSON() ([]byte, error) {
	type wire URIAction
	return json.Marshal(struct {
		Type string `json:"type"`
		wire
	}{"uri", wire(a)})
}

func (a URIAction) validate(labelRequired bool) error {
	if err := checkLabel(a.Label, labelRequired); err != nil {
		return err
	}
	if err := checkText("uri", a.URI, maxURIAction); err != nil {
		return err
	}
	u, err := url.Parse(a.URI)
	if err != nil {
		return invalid("uri", "not a valid URL")
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return invalid("uri", "web URL without a host")
		}
	case "line", "tel":
	default:
		return invalid("uri", "scheme must be http, https, line or tel")
	}
	return nil
}

// MessageAction makes the person send Text as a message of their own (it
// arrives as a channels.EventMessage).
type MessageAction struct {
	Label string `json:"label,omitempty"`
	Text  string `json:"text"`
}

// MarshalJSON adds "type":"message".
func (a MessageAction) MarshalJSON() ([]byte, error) {
	type wire MessageAction
	return json.Marshal(struct {
		Type string `json:"type"`
		wire
	}{"message", wire(a)})
}

func (a MessageAction) validate(labelRequired bool) error {
	if err := checkLabel(a.Label, labelRequired); err != nil {
		return err
	}
	return checkText("text", a.Text, maxMessageText)
}

func checkLabel(label string, required bool) error {
	if required {
		return checkText("label", label, maxActionLabel)
	}
	return checkOptionalText("label", label, maxActionLabel)
}

// validateAction checks a (possibly nil) action at path field.
func validateAction(field string, a Action, labelRequired bool) error {
	if a == nil {
		return invalid(field, "missing action")
	}
	return within(field, a.validate(labelRequired))
}
