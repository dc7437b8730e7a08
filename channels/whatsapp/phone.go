package whatsapp

import (
	"context"
	"errors"
	"fmt"
)

// PhoneNumberInfo is what "Test connection" shows about the number.
type PhoneNumberInfo struct {
	ID                 string `json:"id"`
	DisplayPhoneNumber string `json:"display_phone_number"`
	VerifiedName       string `json:"verified_name"`
	// QualityRating is GREEN, YELLOW, RED or NA.
	QualityRating string `json:"quality_rating"`
}

// PhoneNumber reads the configured phone number. It proves that the token,
// the version and the phone number id work together.
func (c *Client) PhoneNumber(ctx context.Context) (PhoneNumberInfo, error) {
	var info PhoneNumberInfo
	if c.phoneID == "" {
		return info, errors.New("whatsapp: phone number: no phone number id configured")
	}
	// The default fields are id, display_phone_number, verified_name and
	// quality_rating: all that is shown.
	if err := c.getJSON(ctx, c.endpoint(nil, c.phoneID), &info); err != nil {
		return PhoneNumberInfo{}, fmt.Errorf("whatsapp: phone number: %w", err)
	}
	return info, nil
}
