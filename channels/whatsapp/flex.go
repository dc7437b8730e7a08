package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// flexString decodes a JSON string, number or boolean as text, and null as
// "". Meta's own samples give wa_id and timestamps sometimes quoted,
// sometimes not; a webhook must not be lost over that.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*f = ""
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	case b[0] == '{' || b[0] == '[':
		return errors.New("whatsapp: expected a string, got an object or array")
	default:
		// Number or boolean: keep its literal text.
		var n json.Number
		if err := json.Unmarshal(b, &n); err == nil {
			*f = flexString(n.String())
			return nil
		}
		*f = flexString(b)
		return nil
	}
}

// unixTime reads Meta's unix-seconds timestamp; zero time when absent or
// unparseable.
func unixTime(s flexString) time.Time {
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}
