package line

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"omnicast/channels/spectest"
)

func TestWebhookFixturesMatchTheSpec(t *testing.T) {
	spec, err := spectest.Load(spectest.LINEWebhook)
	if err != nil {
		t.Fatal(err)
	}
	for _, fx := range webhookFixtures() {
		if !fx.specValid {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(fx.body), &v); err != nil {
			t.Fatalf("%s: %v", fx.name, err)
		}
		if err := spec.ValidateSchema("CallbackRequest", v); err != nil {
			t.Errorf("%s: fixture does not match webhook.yml: %v", fx.name, err)
		}
	}
	// The check can fail: a follow event without its follow detail is refused.
	var bad any
	_ = json.Unmarshal([]byte(`{"destination":"`+testDestination+`","events":[{"type":"follow","mode":"active","timestamp":1,"webhookEventId":"x","deliveryContext":{"isRedelivery":false},"replyToken":"r"}]}`), &bad)
	if spec.ValidateSchema("CallbackRequest", bad) == nil {
		t.Error("webhook.yml check accepted a follow event without follow")
	}
}

func TestParseWebhook(t *testing.T) {
	for _, fx := range webhookFixtures() {
		t.Run(fx.name, func(t *testing.T) {
			dest, events, err := ParseWebhook([]byte(fx.body))
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if dest != testDestination {
				t.Errorf("destination = %q", dest)
			}
			if events == nil {
				t.Error("events is nil, want an empty slice")
			}
			for i := range events {
				if events[i].AccountID != testDestination {
					t.Errorf("event %d: AccountID = %q, want the destination", i, events[i].AccountID)
				}
				events[i].AccountID = ""
			}
			if !reflect.DeepEqual(events, fx.want) {
				t.Errorf("events =\n%+v\nwant\n%+v", events, fx.want)
			}
		})
	}
}

func TestParseWebhookRefusesMalformedBodies(t *testing.T) {
	for _, body := range malformedWebhooks() {
		if _, events, err := ParseWebhook([]byte(body)); err == nil {
			t.Errorf("ParseWebhook(%q) = %v, want an error", body, events)
		} else if !strings.HasPrefix(err.Error(), "line: webhook") {
			t.Errorf("error %q lacks context", err)
		}
	}
}
