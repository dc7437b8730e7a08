package spectest

import (
	"bytes"
	"net/http"
	"testing"
)

func TestSpecsLoadAndCatchBadLINEMessages(t *testing.T) {
	for _, n := range []string{LINEMessaging, WhatsApp} {
		if _, err := Load(n); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := Load(LINEMessaging)
	check := func(body string) error {
		r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/v2/bot/message/push", bytes.NewReader([]byte(body)))
		r.Header.Set("Content-Type", "application/json")
		return s.ValidateRequest(r, []byte(body))
	}
	if err := check(`{"to":"U1234567890abcdef1234567890abcdef","messages":[{"type":"text","text":"hi"}]}`); err != nil {
		t.Fatalf("valid push refused: %v", err)
	}
	for _, bad := range []string{
		`{"to":"U1","messages":[{"type":"text"}]}`,                                         // text without text: only the discriminator catches it
		`{"to":"U1","messages":[{"type":"nonsense","text":"x"}]}`,                          // unknown type
		`{"messages":[{"type":"text","text":"x"}]}`,                                        // no recipient
		`{"to":"U1","messages":[{"type":"image","originalContentUrl":"https://x/a.png"}]}`, // no preview
	} {
		if err := check(bad); err == nil {
			t.Errorf("invalid push accepted: %s", bad)
		}
	}
}
