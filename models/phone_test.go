package models_test

import (
	"errors"
	"testing"

	"omnicast/models"
)

func TestNormalizePhone(t *testing.T) {
	cases := []struct {
		raw, region, want string
		err               error
	}{
		{"", "TW", "", nil},
		{"  ", "TW", "", nil},
		{"0912-345-678", "TW", "+886912345678", nil},
		{"0912345678", "TW", "+886912345678", nil},
		{"(02) 2722-1234", "TW", "+886227221234", nil},
		{"+886 912 345 678", "TW", "+886912345678", nil},
		{"+886912345678", "HK", "+886912345678", nil},
		{"886912345678", "TW", "+886912345678", nil},           // the region's own country code, without '+'
		{"85291234567", "TW", "", models.ErrPhoneInvalid},      // HK digits without '+' are no Taiwanese number
		{"+886 123 456 789", "TW", "", models.ErrPhoneInvalid}, // no such range
		{"9123 4567", "HK", "+85291234567", nil},
		{"9123", "HK", "", models.ErrPhoneInvalid},
		{"+852 9123 4567", "TW", "+85291234567", nil},
		{"+1 212-555-0100", "TW", "+12125550100", nil},
		{"+86 138 0013 8000", "TW", "+8613800138000", nil},
		{"０９１２３４５６７８", "TW", "+886912345678", nil}, // full-width digits
		{"12", "TW", "", models.ErrPhoneInvalid},
		{"ask at counter", "TW", "", models.ErrPhoneInvalid},
		{"0912-345-678 ext. 12", "TW", "", models.ErrPhoneInvalid},
		{"=1+1", "TW", "", models.ErrPhoneInvalid},
	}
	for _, tc := range cases {
		got, err := models.NormalizePhone(tc.raw, tc.region)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("NormalizePhone(%q, %s) = %q, %v; want %q, %v", tc.raw, tc.region, got, err, tc.want, tc.err)
		}
	}
}

func TestPhoneRegionFromWorkspaceZone(t *testing.T) {
	for zone, want := range map[string]string{"Asia/Taipei": "TW", "Asia/Hong_Kong": "HK", "Europe/Paris": "TW", "": "TW"} {
		if got := models.PhoneRegion(zone); got != want {
			t.Errorf("PhoneRegion(%q) = %q, want %q", zone, got, want)
		}
	}
}

func TestPhoneFromWhatsAppAndFormat(t *testing.T) {
	if got := models.PhoneFromWhatsApp("886912345678"); got != "+886912345678" {
		t.Errorf("wa_id = %q", got)
	}
	if got := models.PhoneFromWhatsApp("85291234567"); got != "+85291234567" {
		t.Errorf("HK wa_id = %q", got)
	}
	if got := models.PhoneFromWhatsApp("12"); got != "12" {
		t.Errorf("odd wa_id kept as it came: %q", got)
	}
	for stored, want := range map[string]string{
		"+886912345678": "+886 912 345 678",
		"886912345678":  "+886 912 345 678", // stored by webhooks before normalisation
		"+85291234567":  "+852 9123 4567",
		"0912":          "0912",
		"":              "",
	} {
		if got := models.FormatPhone(stored); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", stored, got, want)
		}
	}
}
