package line

import (
	"encoding/json"
	"fmt"
)

// maxQuickReplyItems is LINE's limit on quick reply buttons per message.
const maxQuickReplyItems = 13

// QuickReply is the row of buttons shown under a message until the person
// taps one or sends something else.
type QuickReply struct {
	Items []QuickReplyItem `json:"items"`
}

// QuickReplyItem is one quick reply button. ImageURL, optional, is an HTTPS
// icon shown before the label.
type QuickReplyItem struct {
	ImageURL string `json:"imageUrl,omitempty"`
	Action   Action `json:"action"`
}

// MarshalJSON adds "type":"action", the only item type LINE defines.
func (it QuickReplyItem) MarshalJSON() ([]byte, error) {
	type wire QuickReplyItem
	return json.Marshal(struct {
		Type string `json:"type"`
		wire
	}{"action", wire(it)})
}

// validate checks 1–13 items; a nil quick reply is valid (there is none).
func (q *QuickReply) validate() error {
	if q == nil {
		return nil
	}
	if len(q.Items) == 0 || len(q.Items) > maxQuickReplyItems {
		return invalid("quickReply.items", "%d items, 1 to %d allowed", len(q.Items), maxQuickReplyItems)
	}
	for i, it := range q.Items {
		field := fmt.Sprintf("quickReply.items[%d]", i)
		if it.ImageURL != "" {
			if err := within(field, checkHTTPSURL("imageUrl", it.ImageURL)); err != nil {
				return err
			}
		}
		if err := validateAction(field+".action", it.Action, true); err != nil {
			return err
		}
	}
	return nil
}
