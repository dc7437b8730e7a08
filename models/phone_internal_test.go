package models

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// slowE164 is the reference: phonenumbers' own parser and formatter.
func slowE164(s, region string) (string, bool) {
	num, err := phonenumbers.Parse(s, region)
	if err != nil || num.GetExtension() != "" || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// TestFastE164MatchesParse: whenever the fast path answers, it answers
// what the parser does, for random numbers of every length under every
// country code it takes (and a few it must leave to the parser).
func TestFastE164MatchesParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	ccs := []int{1, 7, 33, 39, 44, 61, 86, 55, 54}
	for cc := range fastRegions {
		ccs = append(ccs, cc)
	}
	fast := 0
	for _, cc := range ccs {
		for range 3000 {
			n := 1 + rng.IntN(16)
			digits := make([]byte, n)
			for i := range digits {
				digits[i] = byte('0' + rng.IntN(10))
			}
			s := fmt.Sprintf("+%d%s", cc, digits)
			switch rng.IntN(3) {
			case 1:
				s = fmt.Sprintf("+%d %s", cc, digits)
			case 2:
				if n > 4 {
					s = fmt.Sprintf("+%d-%s-%s", cc, digits[:3], digits[3:])
				}
			}
			for _, region := range []string{"TW", "HK"} {
				got, ok := fastE164(s)
				if !ok {
					continue
				}
				fast++
				want, wok := slowE164(s, region)
				if !wok || got != want {
					t.Fatalf("fastE164(%q) = %q, parser (%s) = %q %v", s, got, region, want, wok)
				}
			}
		}
	}
	if fast < 1000 {
		t.Fatalf("the fast path answered only %d times", fast)
	}
	for _, s := range []string{"+1 212 555 0100", "+86 138 0013 8000", "+44 20 7946 0958", "+886 0912 345 678", "+39 06 1234 5678", "+ 886 912"} {
		if _, ok := fastE164(s); ok {
			t.Errorf("fastE164(%q) answered; it must leave this to the parser", s)
		}
	}
}

func BenchmarkNormalizePhone(b *testing.B) {
	for _, s := range []string{"+886912345678", "0912-345-678"} {
		b.Run(s, func(b *testing.B) {
			for b.Loop() {
				if _, err := NormalizePhone(s, "TW"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
