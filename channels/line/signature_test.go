package line

import (
	"errors"
	"testing"
)

func TestSignature(t *testing.T) {
	const secret = "channel-secret"
	body := []byte(`{"destination":"U1","events":[]}`)
	// Computed independently: base64(HMAC-SHA256("channel-secret", body)).
	const known = "B2fF7S6jgMOeNq3IokYsA4lKncYApSaoE3IcBIVdHr4="
	if got := Sign(secret, body); got != known {
		t.Fatalf("Sign = %q, want %q", got, known)
	}
	if err := VerifySignature(secret, body, known); err != nil {
		t.Errorf("good signature refused: %v", err)
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-2] = ' '
	bad := []struct {
		name, secret, header string
		body                 []byte
	}{
		{"missing header", secret, "", body},
		{"body changed", secret, known, tampered},
		{"wrong secret", "other-secret", known, body},
		{"empty secret", "", Sign("", body), body},
		{"not base64", secret, "!!!not-base64!!!", body},
		{"truncated", secret, known[:20], body},
		{"hex instead of base64", secret, "sha256=07" + "67c5ed", body},
		{"too short digest", secret, "AAAA", body},
		{"url-safe alphabet", secret, "B2fF7S6jgMOeNq3IokYsA4lKncYApSaoE3IcBIVdHr4", body},
	}
	for _, tc := range bad {
		if err := VerifySignature(tc.secret, tc.body, tc.header); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", tc.name, err)
		}
	}
	if SignatureHeader != "X-Line-Signature" {
		t.Errorf("SignatureHeader = %q", SignatureHeader)
	}
}
