package line

import (
	"fmt"
	"unicode/utf8"

	"omnicast/channels"
)

// ValidationError reports a message that LINE would refuse, found before
// sending so the admin sees which field to fix instead of LINE's generic 400.
type ValidationError struct {
	// Field is the JSON path of the offending field, e.g.
	// "template.columns[1].actions[0].label".
	Field string
	// Problem says what is wrong, in plain words.
	Problem string
}

// Error reads as "<field>: <problem>"; builders and Push add the context.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Problem
	}
	return e.Field + ": " + e.Problem
}

// invalid returns a *ValidationError for field.
func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// within prefixes the field path of a *ValidationError returned by a nested
// check, so the error names the field from the message's root.
func within(prefix string, err error) error {
	if err == nil {
		return nil
	}
	ve, ok := err.(*ValidationError)
	if !ok {
		return err
	}
	field := prefix
	if ve.Field != "" {
		field += "." + ve.Field
	}
	return &ValidationError{Field: field, Problem: ve.Problem}
}

// utf16Len counts s in UTF-16 code units, the unit LINE counts text limits
// in: an emoji outside the Basic Multilingual Plane counts twice. Invalid
// UTF-8 counts one unit per bad byte, as encoding/json sends U+FFFD for it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 && r <= utf8.MaxRune {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// checkText checks that a required text field is present and at most max
// UTF-16 units long.
func checkText(field, s string, max int) error {
	if s == "" {
		return invalid(field, "must not be empty")
	}
	return checkOptionalText(field, s, max)
}

// checkOptionalText checks the length of a text field that may be empty.
func checkOptionalText(field, s string, max int) error {
	if n := utf16Len(s); n > max {
		return invalid(field, "%d characters, at most %d allowed", n, max)
	}
	return nil
}

// maxURLLength is LINE's limit on image and action URLs.
const maxURLLength = 2000

// checkHTTPSURL checks an image URL: LINE only fetches images over HTTPS and
// refuses URLs longer than 2,000 characters. Plain http is taken on a
// loopback host only (channels.FetchableImageURL): that is the simulator
// fetching from this machine, and the client refuses such URLs towards any
// other API host (see send). Whether the file is a JPEG or PNG within
// LINE's size limits can only be known by fetching it, which is the
// caller's business (the media library checks uploads).
func checkHTTPSURL(field, raw string) error {
	if raw == "" {
		return invalid(field, "must not be empty")
	}
	if n := utf16Len(raw); n > maxURLLength {
		return invalid(field, "URL of %d characters, at most %d allowed", n, maxURLLength)
	}
	if !channels.FetchableImageURL(raw) {
		return invalid(field, "must be an absolute https:// URL (http only on a loopback host)")
	}
	return nil
}
