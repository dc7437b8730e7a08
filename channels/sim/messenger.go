package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"omnicast/channels"
)

// Messenger Send API limits and values.
const (
	maxMessengerText   = 2000
	maxQuickReplies    = 13
	maxQuickReplyTitle = 20
	maxButtonText      = 640
	maxButtons         = 3
	maxGenericElements = 10
	maxElementTitle    = 80
	humanAgentWindow   = 7 * 24 * time.Hour
)

// messengerTags are the message tags a broadcast may use outside the
// 24-hour window.
var messengerTags = map[string]bool{
	"CONFIRMED_EVENT_UPDATE": true,
	"POST_PURCHASE_UPDATE":   true,
	"ACCOUNT_UPDATE":         true,
}

// fbSend is a Send API request body.
type fbSend struct {
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	MessagingType string          `json:"messaging_type"`
	Tag           string          `json:"tag"`
	Message       json.RawMessage `json:"message"`
	SenderAction  string          `json:"sender_action"`
}

// fbMessage is the message object of a Send API request.
type fbMessage struct {
	Text         *string         `json:"text"`
	Attachment   json.RawMessage `json:"attachment"`
	QuickReplies []struct {
		ContentType string `json:"content_type"`
		Title       string `json:"title"`
		Payload     string `json:"payload"`
	} `json:"quick_replies"`
}

// fbAttachment is a message attachment.
type fbAttachment struct {
	Type    string `json:"type"`
	Payload struct {
		URL          string     `json:"url"`
		TemplateType string     `json:"template_type"`
		Text         string     `json:"text"`
		Buttons      []fbButton `json:"buttons"`
		Elements     []struct {
			Title    string     `json:"title"`
			Subtitle string     `json:"subtitle"`
			Buttons  []fbButton `json:"buttons"`
		} `json:"elements"`
	} `json:"payload"`
}

type fbButton struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Payload string `json:"payload"`
}

// param100 is Graph's invalid-parameter error.
func param100(msg string) *graphError {
	return &graphError{Message: "(#100) " + msg, Code: 100}
}

// handleMessengerSend serves POST /{v}/me/messages and /{v}/{id}/messages
// for a Messenger or Instagram account.
func (s *Sim) handleMessengerSend(w http.ResponseWriter, r *http.Request, acc *account, body []byte) {
	var req fbSend
	if err := json.Unmarshal(body, &req); err != nil {
		s.graphFail(w, http.StatusBadRequest, *param100("Invalid JSON for postcard: " + err.Error()))
		return
	}
	if e := validateFBSend(acc.Kind, &req); e != nil {
		s.graphFail(w, http.StatusBadRequest, *e)
		return
	}
	timeout := req.SenderAction == "" && s.timeoutFault()

	s.mu.Lock()
	p := s.person(acc.ExternalID, req.Recipient.ID)
	if p == nil {
		s.mu.Unlock()
		s.graphFail(w, http.StatusBadRequest, graphError{
			Message: "(#100) No matching user found", Code: 100, ErrorSubcode: 2018001,
		})
		return
	}
	if p.unfollowed {
		s.mu.Unlock()
		s.graphFail(w, http.StatusBadRequest, graphError{
			Message: "(#551) This person isn't available right now.", Code: 551, ErrorSubcode: 1545041,
		})
		return
	}
	if e := s.fbWindow(acc.Kind, &req, p); e != nil {
		s.mu.Unlock()
		s.graphFail(w, http.StatusBadRequest, *e)
		return
	}
	if req.SenderAction != "" {
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"recipient_id": p.ID})
		return
	}
	mid := s.messengerMID()
	var msg any
	_ = json.Unmarshal(req.Message, &msg)
	s.record(sentRec{Sent: Sent{
		Kind: acc.Kind, AccountID: acc.ExternalID, Recipient: p.ID, MessageID: mid,
		Body: append(json.RawMessage(nil), body...), At: s.now(),
	}, content: canonical(msg)})
	p.lastOut = mid
	s.mu.Unlock()

	s.scheduleReceipts(acc.ExternalID, p.ID, mid)
	if timeout {
		s.stall(r)
	}
	writeJSON(w, http.StatusOK, map[string]string{"recipient_id": p.ID, "message_id": mid})
}

// validateFBSend checks a Send API body's shape.
func validateFBSend(kind string, req *fbSend) *graphError {
	if req.Recipient.ID == "" {
		return param100("param recipient must be non-empty.")
	}
	if req.SenderAction != "" {
		switch req.SenderAction {
		case "typing_on", "typing_off", "mark_seen":
		default:
			return param100("param sender_action must be one of {TYPING_ON, TYPING_OFF, MARK_SEEN}")
		}
		if len(req.Message) > 0 {
			return param100("sender_action cannot be sent with message")
		}
		return nil
	}
	switch req.MessagingType {
	case "RESPONSE", "UPDATE":
		if req.Tag != "" {
			return param100("param tag is only allowed with messaging_type MESSAGE_TAG")
		}
	case "MESSAGE_TAG":
		switch {
		case kind == channels.KindInstagram && req.Tag != "HUMAN_AGENT":
			return param100("Param tag must be one of {HUMAN_AGENT}")
		case kind != channels.KindInstagram && !messengerTags[req.Tag]:
			return param100("Param tag must be one of {CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE}")
		}
	case "":
		return param100("param messaging_type must be non-empty.")
	default:
		return param100("param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
	}
	if len(req.Message) == 0 {
		return param100("Must send either message or state")
	}
	var m fbMessage
	if err := json.Unmarshal(req.Message, &m); err != nil {
		return param100("param message must be an object")
	}
	hasAtt := len(m.Attachment) > 0 && string(m.Attachment) != "null"
	if (m.Text != nil) == hasAtt {
		return param100("Exactly one of message[text] or message[attachment] must be specified")
	}
	if m.Text != nil {
		if *m.Text == "" {
			return param100("param message[text] must be non-empty.")
		}
		if utf8.RuneCountInString(*m.Text) > maxMessengerText {
			return param100(fmt.Sprintf("Length of param message[text] must be less than or equal to %d", maxMessengerText))
		}
	}
	if len(m.QuickReplies) > maxQuickReplies {
		return param100(fmt.Sprintf("param message[quick_replies] must have at most %d elements", maxQuickReplies))
	}
	for i, q := range m.QuickReplies {
		switch q.ContentType {
		case "text":
			if q.Title == "" || utf8.RuneCountInString(q.Title) > maxQuickReplyTitle {
				return param100(fmt.Sprintf("param message[quick_replies][%d][title] must be 1..%d characters", i, maxQuickReplyTitle))
			}
			if q.Payload == "" || len(q.Payload) > 1000 {
				return param100(fmt.Sprintf("param message[quick_replies][%d][payload] must be 1..1000 characters", i))
			}
		case "user_phone_number", "user_email":
		default:
			return param100(fmt.Sprintf("param message[quick_replies][%d][content_type] is invalid", i))
		}
	}
	if hasAtt {
		return validateFBAttachment(m.Attachment)
	}
	return nil
}

// validateFBAttachment checks media and template attachments.
func validateFBAttachment(raw json.RawMessage) *graphError {
	var a fbAttachment
	if err := json.Unmarshal(raw, &a); err != nil {
		return param100("param message[attachment] must be an object")
	}
	switch a.Type {
	case "image", "video", "audio", "file":
		if a.Payload.URL == "" {
			return param100("param message[attachment][payload][url] must be non-empty.")
		}
	case "template":
		switch a.Payload.TemplateType {
		case "button":
			if a.Payload.Text == "" || utf8.RuneCountInString(a.Payload.Text) > maxButtonText {
				return param100(fmt.Sprintf("param message[attachment][payload][text] must be 1..%d characters", maxButtonText))
			}
			if e := validateFBButtons(a.Payload.Buttons, 1); e != nil {
				return e
			}
		case "generic":
			if n := len(a.Payload.Elements); n == 0 || n > maxGenericElements {
				return param100(fmt.Sprintf("param message[attachment][payload][elements] must have 1..%d elements", maxGenericElements))
			}
			for _, el := range a.Payload.Elements {
				if el.Title == "" || utf8.RuneCountInString(el.Title) > maxElementTitle ||
					utf8.RuneCountInString(el.Subtitle) > maxElementTitle {
					return param100(fmt.Sprintf("element title must be 1..%d and subtitle at most %d characters", maxElementTitle, maxElementTitle))
				}
				if e := validateFBButtons(el.Buttons, 0); e != nil {
					return e
				}
			}
		case "media", "receipt", "customer_feedback":
		default:
			return param100("param message[attachment][payload][template_type] is invalid")
		}
	default:
		return param100("param message[attachment][type] must be one of {image, video, audio, file, template}")
	}
	return nil
}

// validateFBButtons checks template buttons.
func validateFBButtons(bs []fbButton, min int) *graphError {
	if len(bs) < min || len(bs) > maxButtons {
		return param100(fmt.Sprintf("param buttons must have %d..%d elements", min, maxButtons))
	}
	for _, b := range bs {
		if b.Title == "" || utf8.RuneCountInString(b.Title) > maxQuickReplyTitle {
			return param100(fmt.Sprintf("button title must be 1..%d characters", maxQuickReplyTitle))
		}
		switch b.Type {
		case "web_url":
			if b.URL == "" {
				return param100("param url must be non-empty for web_url buttons")
			}
		case "postback":
			if b.Payload == "" {
				return param100("param payload must be non-empty for postback buttons")
			}
		case "phone_number", "account_link", "account_unlink", "game_play":
		default:
			return param100("button type " + b.Type + " is not supported")
		}
	}
	return nil
}

// fbWindow enforces the messaging windows: untagged messages within 24
// hours of the person's last interaction; Instagram's HUMAN_AGENT within
// 7 days; Messenger's update tags at any time. Caller holds s.mu.
func (s *Sim) fbWindow(kind string, req *fbSend, p *person) *graphError {
	age := s.now().Sub(p.LastInteraction)
	if kind == channels.KindInstagram {
		limit := 24 * time.Hour
		if req.Tag == "HUMAN_AGENT" {
			limit = humanAgentWindow
		}
		if age > limit {
			return &graphError{Message: "(#10) This message is sent outside of allowed window.", Code: 10, ErrorSubcode: 2534022}
		}
		return nil
	}
	if req.MessagingType == "MESSAGE_TAG" || req.SenderAction != "" {
		return nil
	}
	if age > 24*time.Hour {
		return &graphError{
			Message: "(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
			Code:    10, ErrorSubcode: 2018278,
		}
	}
	return nil
}
