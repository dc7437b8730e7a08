package models

import (
	"errors"
	"strconv"
	"strings"

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
// A blank number stays blank; anything that is not a number of a possible
// number valid for its country is ErrPhoneInvalid.
func NormalizePhone(raw, region string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if e164, ok := fastE164(raw); ok {
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

// fastE164 takes the common case without phonenumbers' parser, which costs
// tens of microseconds a number (a 200,000-row import would spend seconds
// in it): a '+', a country code whose region reads national numbers
// without prefix rules (fastRegions), then digits with optional spaces or
// hyphens, not starting with 0. The result is what phonenumbers.Parse and
// Format(E164) give for the same input; TestFastE164MatchesParse checks it.
func fastE164(s string) (string, bool) {
	if len(s) < 2 || s[0] != '+' {
		return "", false
	}
	var buf [20]byte
	d := buf[:0]
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if len(d) == cap(buf) {
				return "", false
			}
			d = append(d, c)
		case c == ' ' || c == '-':
			if i == 1 {
				return "", false
			}
		default:
			return "", false
		}
	}
	for ccLen := 1; ccLen <= 3 && ccLen < len(d); ccLen++ {
		cc, _ := strconv.Atoi(string(d[:ccLen]))
		if !fastRegions[cc] {
			continue
		}
		nsn := d[ccLen:]
		if nsn[0] == '0' {
			return "", false
		}
		n, err := strconv.ParseUint(string(nsn), 10, 64)
		if err != nil {
			return "", false
		}
		num := &phonenumbers.PhoneNumber{CountryCode: new(int32(cc)), NationalNumber: &n}
		if !phoneOK(num) {
			return "", false
		}
		return "+" + string(d), true
	}
	return "", false
}

// fastRegions are the country codes fastE164 handles: regions whose
// prefix for parsing national numbers is "0" or none (TW, HK, MO, MY, PH,
// SG, TH) or always starts with 0 (JP, KR), so that a national number not
// starting with 0 is taken as written. (China, Australia, the UK and NANP
// have prefixes starting with 1 and go through the parser.) Country codes
// are prefix-free, so at most one length matches.
var fastRegions = map[int]bool{
	886: true, 852: true, 853: true, 60: true, 63: true, 65: true, 66: true, 81: true, 82: true,
}

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
