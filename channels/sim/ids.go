package sim

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

const (
	base62    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// randString returns n characters drawn from alphabet.
func (s *Sim) randString(n int, alphabet string) string {
	b := make([]byte, n)
	s.randBytes(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// randDigits returns n decimal digits, the first one non-zero.
func (s *Sim) randDigits(n int) string {
	d := s.randString(n, "0123456789")
	if d[0] == '0' {
		d = "1" + d[1:]
	}
	return d
}

// fbtraceID is Meta's request trace id (11 base62-ish characters).
func (s *Sim) fbtraceID() string { return s.randString(11, base62) }

// messengerMID is a Messenger / Instagram message id ("m_…").
func (s *Sim) messengerMID() string {
	b := make([]byte, 64)
	s.randBytes(b)
	return "m_" + base64.RawURLEncoding.EncodeToString(b)
}

// wamid is a WhatsApp message id: "wamid." + base64 of a small binary
// record naming the wa_id, like Meta's.
func (s *Sim) wamid(waID string) string {
	b := make([]byte, 10)
	s.randBytes(b)
	raw := fmt.Sprintf("\x1c\x18\x0c%s\x15\x02\x00\x11\x18\x14%s\x00", waID, strings.ToUpper(hex.EncodeToString(b)))
	return "wamid." + base64.StdEncoding.EncodeToString([]byte(raw))
}

// lineMessageID is a LINE message id (18 digits).
func (s *Sim) lineMessageID() string { return s.randDigits(18) }

// lineToken is a LINE reply / quote token.
func (s *Sim) lineToken(n int) string {
	return s.randString(n, base62)
}

// replyToken is a LINE reply token (32 hex characters).
func (s *Sim) replyToken() string {
	b := make([]byte, 16)
	s.randBytes(b)
	return hex.EncodeToString(b)
}

// ulid is a ULID (26 Crockford base32 characters: 48-bit millisecond time
// then 80 random bits), the shape of LINE's webhookEventId.
func (s *Sim) ulid(t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	s.randBytes(b[6:])
	// 128 bits → 26 characters of 5 bits (the first holds 3 bits).
	out := make([]byte, 26)
	var acc uint32
	bits := 2 // 130 - 128 leading zero bits
	j := 0
	for _, v := range b {
		acc = acc<<8 | uint32(v)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out[j] = crockford[(acc>>uint(bits))&31]
			j++
		}
	}
	return string(out)
}
