package line

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// SignatureHeader carries the signature of a webhook body.
const SignatureHeader = "X-Line-Signature"

// ErrBadSignature is returned for a missing or wrong webhook signature. The
// caller answers 401 or 403 and does not parse the body.
var ErrBadSignature = errors.New("line: bad webhook signature")

// Sign returns the X-Line-Signature value for body: the base64 HMAC-SHA256
// of the raw bytes keyed with the channel secret. Tests and the simulator
// use it to sign the webhooks they fake.
func Sign(channelSecret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(mac(channelSecret, body))
}

// VerifySignature checks header against the raw body, in constant time. It
// must run on the bytes as received, before any parsing: re-encoded JSON
// would not match. An empty secret always fails, so a channel whose secret
// was never configured cannot be fed forged events.
func VerifySignature(channelSecret string, body []byte, header string) error {
	if channelSecret == "" || header == "" {
		return ErrBadSignature
	}
	// Strict: LINE sends canonical base64, and accepting other spellings
	// of the same digest only widens what a forger may try.
	got, err := base64.StdEncoding.Strict().DecodeString(header)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	if !hmac.Equal(got, mac(channelSecret, body)) {
		return ErrBadSignature
	}
	return nil
}

func mac(secret string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return h.Sum(nil)
}
