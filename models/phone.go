package models

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Phone numbers are stored in E.164 ("+886912345678") and shown in
// international format ("+886 912 345 678"). A number written without a
// country code is read in the workspace's region (PhoneRegion).

// ErrPhoneInvalid: not a valid phone number for its country
// (a catalogue id: the import reports it for a row).
var ErrPhoneInvalid = errors.New("error.import_phone_invalid")

// DefaultPhoneRegion reads numbers without a country code when the
// workspace time zone names no region we know.
const DefaultPhoneRegion = "TW"

// phoneRegionOfZone maps the workspace time zones of our users to the
// region whose numbers they write without a country code.
var phoneRegionOfZone = map[string]string{
	"Asia/Taipei":       "TW",
	"Asia/Hong_Kong":    "HK",
	"Asia/Macau":        "MO",
	"Asia/Shanghai":     "CN",
	"Asia/Singapore":    "SG",
	"Asia/Kuala_Lumpur": "MY",
	"Asia/Tokyo":        "JP",
	"Asia/Seoul":        "KR",
	"Asia/Bangkok":      "TH",
	"Asia/Manila":       "PH",
	"Asia/Jakarta":      "ID",
	"Asia/Ho_Chi_Minh":  "VN",
}

// PhoneRegion is the region numbers without a country code are read in,
// from the workspace time zone: Taiwan for Asia/Taipei, Hong Kong for
// Asia/Hong_Kong, …, else Taiwan.
func PhoneRegion(timezone string) string {
	if r, ok := phoneRegionOfZone[timezone]; ok {
		return r
	}
	return DefaultPhoneRegion
}

// NormalizePhone reads a phone number as people write it ("0912-345-678",
// "+886 912 345 678", "(02) 2722-1234") in region and returns it in E.164.
// A blank number stays blank; anything that is not a phone number valid
// for its country is ErrPhoneInvalid.
func NormalizePhone(raw, region string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if e164, ok := fastE164(raw, region); ok {
		return e164, nil
	}
	num, err := phonenumbers.Parse(raw, region)
	if err != nil || num.GetExtension() != "" {
		return "", ErrPhoneInvalid
	}
	if !phoneOK(num) {
		return "", ErrPhoneInvalid
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// fastE164 takes the common cases without phonenumbers' generic parser
// and validator, which cost tens of microseconds a number (a 200,000-row
// import would spend seconds in them): digits with spaces, hyphens, dots
// or parentheses, either after a '+' and the country code of a fastRegion,
// or written locally in a region whose local numbers only lose a leading 0.
// It answers only for numbers it finds valid, checked against the same
// metadata with the patterns compiled once; everything else goes to the
// parser. TestFastE164MatchesParse checks that it agrees with phonenumbers.
func fastE164(s, region string) (string, bool) {
	var buf [20]byte
	d := buf[:0]
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if len(d) == cap(buf) {
				return "", false
			}
			d = append(d, c)
		case c == '+' && i == 0:
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	if len(d) < 4 {
		return "", false
	}
	fast := fastMetadata()
	if plus {
		for ccLen := 1; ccLen <= 3; ccLen++ {
			cc, _ := strconv.Atoi(string(d[:ccLen]))
			r := fast.byCode[cc]
			if r == nil {
				continue
			}
			nsn := string(d[ccLen:])
			if nsn == "" || nsn[0] == '0' || !r.valid(nsn) {
				return "", false
			}
			return "+" + string(d), true
		}
		return "", false
	}
	r := fast.byRegion[region]
	if r == nil || !r.local || r.intl.Match(d) || strings.HasPrefix(string(d), r.code) {
		return "", false
	}
	nsn := string(d)
	if r.prefix != "" {
		nsn = strings.TrimPrefix(nsn, r.prefix)
	}
	if nsn == "" || nsn[0] == '0' || !r.valid(nsn) {
		return "", false
	}
	return "+" + r.code + nsn, true
}

// fastCountryCodes are the country codes fastE164 handles: one region
// each, whose prefix for parsing national numbers is "0" or none (TW, HK,
// MO, MY, PH, SG, TH) or always starts with 0 (JP, KR), so that a national
// number not starting with 0 is taken as written. (China, Australia, the
// UK and NANP have prefixes starting with 1 and go through the parser.)
// Country codes are prefix-free, so at most one length matches.
var fastCountryCodes = []int{886, 852, 853, 60, 63, 65, 66, 81, 82}

// fastRegion is one region's validity rules, compiled.
type fastRegion struct {
	code    string // country code
	general fastDesc
	types   []fastDesc // mobile first: the usual match
	// local: numbers written without country code may take the fast
	// path, losing prefix (the national prefix, "0" or none).
	local  bool
	prefix string
	intl   *regexp.Regexp // the international dialling prefix, anchored
}

// fastDesc is a number description: possible lengths and pattern.
type fastDesc struct {
	lengths []int32
	re      *regexp.Regexp
}

func (d fastDesc) match(nsn string) bool {
	if len(d.lengths) > 0 && !slices.Contains(d.lengths, int32(len(nsn))) {
		return false
	}
	return d.re.MatchString(nsn)
}

// valid is phonenumbers.IsValidNumber for a national number of the
// region: it matches the general description and one of the types.
func (r *fastRegion) valid(nsn string) bool {
	if !r.general.match(nsn) {
		return false
	}
	for _, t := range r.types {
		if t.match(nsn) {
			return true
		}
	}
	return false
}

type fastRegions struct {
	byCode   map[int]*fastRegion
	byRegion map[string]*fastRegion
}

// fastMetadata compiles the rules of the fast regions from phonenumbers'
// own metadata, once.
var fastMetadata = sync.OnceValue(func() fastRegions {
	out := fastRegions{byCode: map[int]*fastRegion{}, byRegion: map[string]*fastRegion{}}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return out // no fast path: every number goes to the parser
	}
	want := map[int]bool{}
	for _, cc := range fastCountryCodes {
		if len(phonenumbers.GetRegionCodesForCountryCode(cc)) == 1 {
			want[cc] = true
		}
	}
	desc := func(d *phonenumbers.PhoneNumberDesc) fastDesc {
		return fastDesc{lengths: d.GetPossibleLength(), re: regexp.MustCompile("^(?:" + d.GetNationalNumberPattern() + ")$")}
	}
	for _, m := range coll.GetMetadata() {
		cc := int(m.GetCountryCode())
		if !want[cc] || m.GetId() != phonenumbers.GetRegionCodeForCountryCode(cc) {
			continue
		}
		r := &fastRegion{code: strconv.Itoa(cc), general: desc(m.GetGeneralDesc())}
		for _, d := range []*phonenumbers.PhoneNumberDesc{m.GetMobile(), m.GetFixedLine(), m.GetTollFree(), m.GetPremiumRate(),
			m.GetSharedCost(), m.GetVoip(), m.GetPersonalNumber(), m.GetPager(), m.GetUan(), m.GetVoicemail()} {
			if d != nil {
				r.types = append(r.types, desc(d))
			}
		}
		np, npfp := m.GetNationalPrefix(), m.GetNationalPrefixForParsing()
		if (np == "" || np == "0") && (npfp == "" || npfp == np) && m.GetNationalPrefixTransformRule() == "" && m.GetInternationalPrefix() != "" {
			r.local, r.prefix = true, np
			r.intl = regexp.MustCompile("^(?:" + m.GetInternationalPrefix() + ")")
		}
		out.byCode[cc] = r
		out.byRegion[m.GetId()] = r
	}
	return out
})

// PhoneFromWhatsApp turns a WhatsApp wa_id (the number in digits, with its
// country code and no '+') into E.164. An id that is not a possible number
// is kept as it came, so no contact is lost over it.
func PhoneFromWhatsApp(waID string) string {
	waID = strings.TrimSpace(waID)
	if waID == "" {
		return ""
	}
	raw := waID
	if !strings.HasPrefix(raw, "+") {
		raw = "+" + raw
	}
	if e164, err := NormalizePhone(raw, DefaultPhoneRegion); err == nil {
		return e164
	}
	return waID
}

// FormatPhone shows a stored number in international format ("+886 912
// 345 678"). Numbers stored before normalisation (WhatsApp digits without
// '+') are read as international too; anything unreadable is shown as it
// is.
func FormatPhone(stored string) string {
	if stored == "" {
		return ""
	}
	raw := stored
	if !strings.HasPrefix(raw, "+") && isDigits(raw) {
		raw = "+" + raw
	}
	if !strings.HasPrefix(raw, "+") {
		return stored
	}
	num, err := phonenumbers.Parse(raw, DefaultPhoneRegion)
	if err != nil || !phoneOK(num) {
		return stored
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// isE164Phone tells whether s is a phone number written in E.164 or in
// international format: a '+', then digits and single spaces only, which
// phonenumbers reads as a possible number. Such a cell is a number to a
// spreadsheet, never a formula, so export leaves it as it is.
func isE164Phone(s string) bool {
	if len(s) < 3 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	prevSpace := false
	for i := 2; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			prevSpace = false
		case c == ' ' && !prevSpace:
			prevSpace = true
		default:
			return false
		}
	}
	if prevSpace {
		return false
	}
	num, err := phonenumbers.Parse(s, DefaultPhoneRegion)
	return err == nil && phoneOK(num)
}

// phoneOK is the one test of a number: phonenumbers judges it valid for
// its country (length and number ranges).
func phoneOK(num *phonenumbers.PhoneNumber) bool {
	return phonenumbers.IsValidNumber(num)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
