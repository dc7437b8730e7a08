package models

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// slowE164 is the reference: phonenumbers' own parser, validator and
// formatter.
func slowE164(s, region string) (string, bool) {
	num, err := phonenumbers.Parse(s, region)
	if err != nil || num.GetExtension() != "" || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// randomNumber writes a number as people do: the country's example
// numbers with their last digits changed, or random digits, with spaces,
// hyphens or parentheses here and there.
func randomNumber(rng *rand.Rand, region string, international bool) string {
	var digits []byte
	if ex := phonenumbers.GetExampleNumberForType(region, []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE, phonenumbers.TOLL_FREE}[rng.IntN(3)]); ex != nil && rng.IntN(4) != 0 {
		digits = []byte(phonenumbers.GetNationalSignificantNumber(ex))
		for i := len(digits) - 1 - rng.IntN(len(digits)); i < len(digits); i++ {
			digits[i] = byte('0' + rng.IntN(10))
		}
		if rng.IntN(10) == 0 && len(digits) > 3 {
			digits = digits[:len(digits)-1-rng.IntN(2)] // too short
		}
	} else {
		digits = make([]byte, 1+rng.IntN(13))
		for i := range digits {
			digits[i] = byte('0' + rng.IntN(10))
		}
	}
	s := string(digits)
	if !international {
		if np := phonenumbers.GetNddPrefixForRegion(region, true); np != "" && rng.IntN(5) != 0 {
			s = np + s
		}
	}
	switch rng.IntN(4) {
	case 1:
		if len(s) > 4 {
			s = s[:4] + "-" + s[4:]
		}
	case 2:
		if len(s) > 3 {
			s = "(" + s[:2] + ") " + s[2:]
		}
	case 3:
		if len(s) > 6 {
			s = s[:3] + " " + s[3:6] + " " + s[6:]
		}
	}
	if international {
		cc := phonenumbers.GetCountryCodeForRegion(region)
		if rng.IntN(2) == 0 {
			return fmt.Sprintf("+%d %s", cc, s)
		}
		return fmt.Sprintf("+%d%s", cc, s)
	}
	return s
}

// TestFastE164MatchesParse: whenever the fast path answers, it answers
// what phonenumbers does, for numbers of every fast region written
// internationally and locally (read in several default regions), and it
// leaves to the parser what it must.
func TestFastE164MatchesParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	regions := []string{"TW", "HK", "MO", "MY", "PH", "SG", "TH", "JP", "KR", "US", "CN", "GB", "IT", "AU"}
	perRegion := 700
	if raceOn {
		perRegion = 40
	}
	fast, valid := 0, 0
	for _, region := range regions {
		for range perRegion {
			intl := rng.IntN(2) == 0
			s := randomNumber(rng, region, intl)
			for _, def := range []string{region, "TW", "HK"} {
				want, wok := slowE164(s, def)
				if wok {
					valid++
				}
				got, ok := fastE164(s, def)
				if !ok {
					continue
				}
				fast++
				if !wok || got != want {
					t.Fatalf("fastE164(%q, %s) = %q, phonenumbers = %q %v", s, def, got, want, wok)
				}
			}
		}
	}
	if fast < perRegion*2 || valid < 2*fast/3 {
		t.Fatalf("the fast path answered %d times of %d valid numbers", fast, valid)
	}
	for _, s := range []string{"+1 212 555 0100", "+86 138 0013 8000", "+44 20 7946 0958", "+886 0912 345 678", "+39 06 1234 5678", "002 886 912 345 678", "886912345678"} {
		if _, ok := fastE164(s, "TW"); ok {
			t.Errorf("fastE164(%q) answered; it must leave this to the parser", s)
		}
	}
}

func BenchmarkNormalizePhone(b *testing.B) {
	for _, s := range []string{"+886912345678", "0912-345-678", "(02) 2722-1234", "+1 212 555 0100"} {
		b.Run(s, func(b *testing.B) {
			for b.Loop() {
				if _, err := NormalizePhone(s, "TW"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
