package models

import (
	"strings"
	"unicode/utf8"
)

// CleanText makes a string from outside (a webhook, a form, a CSV cell, a
// platform's answer) safe to store: NUL bytes, which PostgreSQL refuses in
// text, are removed; invalid UTF-8 becomes U+FFFD; and the result is cut to
// at most maxRunes characters, on a character boundary (maxRunes <= 0 keeps
// every character).
func CleanText(s string, maxRunes int) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return TruncateRunes(s, maxRunes)
}

// TruncateRunes cuts s to at most n characters, never inside one
// (n <= 0 keeps s whole).
func TruncateRunes(s string, n int) string {
	if n <= 0 || len(s) <= n { // n runes take at least n bytes
		return s
	}
	count := 0
	for i := range s {
		if count == n {
			return s[:i]
		}
		count++
	}
	return s
}

// TruncateBytes cuts s to at most n bytes, never inside a character: for
// columns whose limit is in bytes (index keys).
func TruncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// HasNUL tells whether s holds a NUL byte.
func HasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }
