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
	})
}
