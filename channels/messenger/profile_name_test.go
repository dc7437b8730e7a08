package messenger

import "testing"

func TestJoinNameFollowsTheScript(t *testing.T) {
	cases := []struct{ first, last, want string }{
		{"怡君", "陳", "陳怡君"},
		{"Chia-Ying", "Lo", "Chia-Ying Lo"},
		{"Ka Ming", "Wong", "Ka Ming Wong"},
		{"怡君", "", "怡君"},
		{"", "Lo", "Lo"},
		{"Mei", "陳", "Mei 陳"},
	}
	for _, c := range cases {
		if got := joinName(c.first, c.last); got != c.want {
			t.Errorf("joinName(%q, %q) = %q, want %q", c.first, c.last, got, c.want)
		}
	}
}
