package line

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"omnicast/channels"
)

// webhookBody is the envelope LINE posts: {"destination","events":[…]}.
// Events is a pointer so a body without the array is told apart from the
// empty array of a connectivity check.
type webhookBody struct {
	Destination string             `json:"destination"`
	Events      *[]json.RawMessage `json:"events"`
}

// eventHead is read first so event types omnicast ignores are skipped
// whatever the shape of their other fields.
type eventHead struct {
	Type string `json:"type"`
}

// webhookEvent holds the fields omnicast uses from the event types it acts
// on (follow, unfollow, message, postback).
type webhookEvent struct {
	Type            string `json:"type"`
	Timestamp       int64  `json:"timestamp"`
	WebhookEventID  string `json:"webhookEventId"`
	DeliveryContext struct {
		IsRedelivery bool `json:"isRedelivery"`
	} `json:"deliveryContext"`
	Source struct {
		Type   string `json:"type"`
		UserID string `json:"userId"`
	} `json:"source"`
	Follow *struct {
		IsUnblocked bool `json:"isUnblocked"`
	} `json:"follow"`
	Message *struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"message"`
	Postback *struct {
		Data string `json:"data"`
	} `json:"postback"`
}

// eventKind maps the LINE event types omnicast acts on to its own kinds.
func eventKind(lineType string) (channels.EventKind, bool) {
	switch lineType {
	case "follow":
		return channels.EventFollow, true
	case "unfollow":
		return channels.EventUnfollow, true
	case "message":
		return channels.EventMessage, true
	case "postback":
		return channels.EventPostback, true
	}
	return "", false
}

// ParseWebhook decodes a webhook body whose signature was already verified
// and returns the bot's user id (destination) and the events omnicast acts
// on: follow (Unblocked from follow.isUnblocked), unfollow, message (Text
// for text messages) and postback (Payload = postback.data). Every other
// event type (join, memberJoined, unsend, beacon, …) is skipped, as are
// events without a source userId, since omnicast keys contacts by it.
// DedupeKey is webhookEventId, which stays the same across redeliveries;
// AccountID is the destination.
//
// An empty events array is valid: LINE sends one to check the endpoint.
// A body that is not JSON, lacks the events array, or has an event of a
// handled type with fields of the wrong type is an error (answer 400).
func ParseWebhook(body []byte) (destination string, events []channels.Event, err error) {
	var env webhookBody
	if err := json.Unmarshal(body, &env); err != nil {
		return "", nil, fmt.Errorf("line: webhook: %w", err)
	}
	if env.Events == nil {
		return "", nil, errors.New("line: webhook: no events array")
	}
	events = make([]channels.Event, 0, len(*env.Events))
	for i, raw := range *env.Events {
		var head eventHead
		if err := json.Unmarshal(raw, &head); err != nil {
			return "", nil, fmt.Errorf("line: webhook: event %d: %w", i, err)
		}
		kind, ok := eventKind(head.Type)
		if !ok {
			continue
		}
		var ev webhookEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return "", nil, fmt.Errorf("line: webhook: event %d (%s): %w", i, head.Type, err)
		}
		if ev.Source.UserID == "" {
			continue
		}
		out := channels.Event{
			Kind:       kind,
			DedupeKey:  ev.WebhookEventID,
			UserID:     ev.Source.UserID,
			AccountID:  env.Destination,
			Redelivery: ev.DeliveryContext.IsRedelivery,
		}
		if ev.Timestamp > 0 {
			out.Time = time.UnixMilli(ev.Timestamp).UTC()
		}
		switch kind {
		case channels.EventFollow:
			out.Unblocked = ev.Follow != nil && ev.Follow.IsUnblocked
		case channels.EventMessage:
			if ev.Message != nil {
				out.MessageID = ev.Message.ID
				if ev.Message.Type == "text" {
					out.Text = ev.Message.Text
				}
			}
		case channels.EventPostback:
			if ev.Postback != nil {
				out.Payload = ev.Postback.Data
			}
		}
		events = append(events, out)
	}
	return env.Destination, events, nil
}
