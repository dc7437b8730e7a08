package web

import (
	"strconv"

	"github.com/labstack/echo/v4"
)

// parseID reads a record id (channel, user, tag, audience, …) as written in
// a URL or form: a positive decimal number that fits the uint columns.
// Everything else, including an empty string, is not an id.
func parseID(s string) (uint, bool) {
	id, err := strconv.ParseUint(s, 10, 32)
	if err != nil || id == 0 {
		return 0, false
	}
	return uint(id), true
}

// parseContactID reads a contact id: contact ids are positive signed
// 64-bit numbers in the database, so 2⁶³ and above are not ids.
func parseContactID(s string) (uint64, bool) {
	id, err := strconv.ParseUint(s, 10, 63)
	if err != nil || id == 0 {
		return 0, false
	}
	return id, true
}

// idParam reads a numeric :id, answering 404 for anything else.
func idParam(c echo.Context) (uint, error) {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return 0, echo.ErrNotFound
	}
	return id, nil
}
