package messenger

import (
	"slices"
	"testing"
)

// FuzzParseWebhook feeds arbitrary bodies to the parser: it must never
// panic, and every event it returns must be usable (kind, person, dedupe key).
func FuzzParseWebhook(f *testing.F) {
	for _, body := range fixtures {
		f.Add([]byte(body))
	}
	f.Add([]byte(`{"object":"page","entry":[{"messaging":[{"sender":{"id":"P"},"timestamp":1e300,"read":{"watermark":-1}}]}]}`))
	f.Add([]byte(`{"object":"page","entry":[{"messaging":[{"sender":{"id":"P"},"delivery":{"mids":null}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := ParseWebhook(body)
		if err != nil && len(evs) != 0 {
			t.Fatalf("events returned with error %v", err)
		}
		var env struct {
			Entry []struct {
				ID flexID `json:"id"`
			} `json:"entry"`
		}
		_ = tolerantUnmarshal(body, &env)
		var entryIDs []string
		for _, e := range env.Entry {
			entryIDs = append(entryIDs, string(e.ID))
		}
		for _, ev := range evs {
			if ev.Kind == "" || ev.UserID == "" || ev.DedupeKey == "" {
				t.Fatalf("incomplete event %+v from %q", ev, body)
			}
			// Every event names the entry (Page) it came in.
			if !slices.Contains(entryIDs, ev.AccountID) {
				t.Fatalf("event addressed to %q, not one of the entries %q", ev.AccountID, entryIDs)
			}
		}
	})
}
