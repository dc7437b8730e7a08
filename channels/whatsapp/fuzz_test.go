package whatsapp

import (
	"testing"

	"omnicast/channels"
)

func FuzzParseWebhook(f *testing.F) {
	for _, body := range specWebhookExamples(f) {
		f.Add(body)
	}
	f.Add([]byte(statusWebhook))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":1,"id":2,"type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"a"}}}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"type":"reaction","reaction":null}]}}]}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseWebhook(body)
		if err != nil {
			if events != nil {
				t.Fatalf("events %+v with error %v", events, err)
			}
			return
		}
		for _, ev := range events {
			switch ev.Kind {
			case channels.EventMessage:
				if ev.MessageID == "" || ev.UserID == "" || ev.DedupeKey != ev.MessageID {
					t.Fatalf("message event without identity: %+v", ev)
				}
			case channels.EventStatus:
				if ev.MessageID == "" || ev.DedupeKey != ev.MessageID+":"+ev.Status || !isTrackedStatus(flexString(ev.Status)) {
					t.Fatalf("bad status event: %+v", ev)
				}
			default:
				t.Fatalf("unexpected kind %q", ev.Kind)
			}
		}
		filtered, err := ParseWebhookFor(body, "106540352242922")
		if err != nil || len(filtered) > len(events) {
			t.Fatalf("filtered parse: %v, %d > %d", err, len(filtered), len(events))
		}
		// Each event names the number it is addressed to, and filtering by
		// that number keeps exactly the events naming it.
		perAccount := map[string]int{}
		for _, ev := range events {
			perAccount[ev.AccountID]++
		}
		for _, ev := range filtered {
			if ev.AccountID != "106540352242922" {
				t.Fatalf("filter kept an event for %q", ev.AccountID)
			}
		}
		for account, n := range perAccount {
			if account == "" {
				continue // "" means "no filter" to ParseWebhookFor
			}
			if only, _ := ParseWebhookFor(body, account); len(only) != n {
				t.Fatalf("%d events name %q, the filter keeps %d", n, account, len(only))
			}
		}
	})
}
