package sim

import (
	"encoding/json"
	"sort"
	"time"
)

// Sent is one message the simulator accepted for one recipient. A LINE
// multicast yields one Sent per recipient, all with the same Body.
type Sent struct {
	Kind      string // channels.Kind*
	AccountID string // the account's ExternalID
	Recipient string // PSID, IGSID, LINE userId or wa_id
	// MessageID is the id answered to the client (mid, wamid, LINE sent
	// message id); for LINE multicast, which answers no id, a simulator id.
	MessageID string
	RetryKey  string // LINE X-Line-Retry-Key, if any
	// Body is the request body as received.
	Body json.RawMessage
	At   time.Time
}

// sentRec is a Sent with the canonical form of its content (the message
// without its addressing), which Duplicates compares.
type sentRec struct {
	Sent
	content string
}

// record appends accepted messages. Caller holds s.mu.
func (s *Sim) record(recs ...sentRec) { s.sent = append(s.sent, recs...) }

// Sent returns every accepted message, oldest first.
func (s *Sim) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Sent, len(s.sent))
	for i, r := range s.sent {
		out[i] = r.Sent
	}
	return out
}

// SentTo returns the accepted messages addressed to recipient, oldest first.
func (s *Sim) SentTo(recipient string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, r := range s.sent {
		if r.Recipient == recipient {
			out = append(out, r.Sent)
		}
	}
	return out
}

// Duplicates returns, sorted, the recipients who were sent the same
// message content more than once by the same account (a broadcast that
// double-sent). Content is compared without addressing, so a personalised
// message and a multicast copy compare by what the person would see.
func (s *Sim) Duplicates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	type key struct{ account, recipient, content string }
	seen := map[key]int{}
	dup := map[string]bool{}
	for _, r := range s.sent {
		k := key{r.AccountID, r.Recipient, r.content}
		seen[k]++
		if seen[k] == 2 {
			dup[r.Recipient] = true
		}
	}
	out := make([]string, 0, len(dup))
	for r := range dup {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Reset forgets every recorded message, LINE retry key and LINE quota
// consumption. Accounts, people, templates and windows are kept.
func (s *Sim) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = nil
	for _, a := range s.accounts {
		a.retryKeys = map[string]retryEntry{}
		a.usage = map[string]int{}
	}
}

// canonical re-encodes a JSON value with sorted keys and no spacing, so
// equal content compares equal as a string.
func canonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return string(b)
	}
	b, _ = json.Marshal(x)
	return string(b)
}
