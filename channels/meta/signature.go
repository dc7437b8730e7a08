// Package meta holds what Messenger, Instagram and WhatsApp share as Meta
// platforms: webhook signatures, the hub.* verification handshake and the
// Graph API error envelope.
package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// SignatureHeader carries the HMAC of a webhook body.
const SignatureHeader = "X-Hub-Signature-256"

// ErrBadSignature is returned for a missing or wrong signature.
var ErrBadSignature = errors.New("meta: bad webhook signature")

// Sign returns the X-Hub-Signature-256 value for body.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks header against the raw body in constant time.
func VerifySignature(appSecret string, body []byte, header string) error {
	if appSecret == "" {
		return ErrBadSignature
	}
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// VerifyHandshake answers Meta's GET verification: it returns the challenge
// to echo when mode is "subscribe" and the token matches, else ok=false.
func VerifyHandshake(wantToken, mode, token, challenge string) (string, bool) {
	if mode != "subscribe" || wantToken == "" || !hmac.Equal([]byte(token), []byte(wantToken)) {
		return "", false
	}
	return challenge, true
}
