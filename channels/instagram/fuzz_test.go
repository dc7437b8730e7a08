package instagram

import "testing"

// FuzzParseWebhook: arbitrary bodies never panic and every event returned
// is usable.
func FuzzParseWebhook(f *testing.F) {
	for _, body := range fixtures {
		f.Add([]byte(body))
	}
	f.Add([]byte(`{"object":"instagram","entry":[{"messaging":[{"sender":{"id":"X"},"read":{"mid":"m"},"messaging_seen":7}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := ParseWebhook(body)
		if err != nil && len(evs) != 0 {
			t.Fatalf("events returned with error %v", err)
		}
		for _, ev := range evs {
			if ev.Kind == "" || ev.UserID == "" || ev.DedupeKey == "" {
				t.Fatalf("incomplete event %+v from %q", ev, body)
			}
		}
	})
}
