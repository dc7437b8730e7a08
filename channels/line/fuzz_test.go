package line

import (
	"strings"
	"testing"

	"omnicast/channels"
)

func FuzzParseWebhook(f *testing.F) {
	for _, fx := range webhookFixtures() {
		f.Add([]byte(fx.body))
	}
	for _, body := range malformedWebhooks() {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		dest, events, err := ParseWebhook(body)
		if err != nil {
			if events != nil {
				t.Errorf("events %v returned with error %v", events, err)
			}
			return
		}
		for _, e := range events {
			if e.UserID == "" {
				t.Errorf("event without a user id: %+v", e)
			}
			if e.AccountID != dest {
				t.Errorf("event addressed to %q in a body for %q", e.AccountID, dest)
			}
			switch e.Kind {
			case channels.EventFollow, channels.EventUnfollow, channels.EventMessage, channels.EventPostback:
			default:
				t.Errorf("unexpected kind %q", e.Kind)
			}
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	for _, fx := range webhookFixtures() {
		f.Add("channel-secret", []byte(fx.body), Sign("channel-secret", []byte(fx.body)))
	}
	f.Add("", []byte("{}"), "")
	f.Add("s", []byte("{}"), "not base64")
	f.Fuzz(func(t *testing.T, secret string, body []byte, header string) {
		err := VerifySignature(secret, body, header)
		good := Sign(secret, body)
		if secret == "" {
			if err == nil {
				t.Fatal("empty secret verified")
			}
			return
		}
		if VerifySignature(secret, body, good) != nil {
			t.Fatal("own signature refused")
		}
		// encoding/base64 skips CR and LF even in strict mode; any other
		// difference from our own signature must be refused.
		if err == nil && strings.NewReplacer("\r", "", "\n", "").Replace(header) != good {
			t.Fatalf("header %q verified but the signature is %q", header, good)
		}
	})
}
