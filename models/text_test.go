package models

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 0, "plain"},
		{"a\x00b", 0, "ab"},
		{"\x00\x00", 0, ""},
		{"bad\xffbyte", 0, "bad\uFFFDbyte"},
		{"台北門市", 2, "台北"},
		{"台北門市", 4, "台北門市"},
		{"台北門市", 10, "台北門市"},
		{"ab\x00cd", 3, "abc"},
		{"😀😀😀", 2, "😀😀"},
	}
	for _, c := range cases {
		if got := CleanText(c.in, c.max); got != c.want {
			t.Errorf("CleanText(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestTruncateBytesKeepsCharacters(t *testing.T) {
	s := strings.Repeat("門", 100) // 3 bytes each
	for n := 0; n < 40; n++ {
		got := TruncateBytes(s, n)
		if len(got) > n || !utf8.ValidString(got) {
			t.Fatalf("TruncateBytes(_, %d) = %d bytes, valid=%v", n, len(got), utf8.ValidString(got))
		}
		if len(got) < n-2 {
			t.Fatalf("TruncateBytes(_, %d) cut too much: %d bytes", n, len(got))
		}
	}
}
