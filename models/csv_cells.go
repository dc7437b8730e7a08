package models

import (
	"strings"
	"unicode/utf8"
)

// Spreadsheets run a cell that starts with = + - @ as a formula, also
// after leading blanks, and some read the full-width ＝ ＋ － ＠ the same
// way; a leading tab or carriage return can hide such a start. Names and
// tags come from strangers on social platforms, so export neutralises
// every such cell by putting an apostrophe in front (OWASP's advice), and
// import removes exactly the apostrophes export added.

// formulaRunes start a formula.
const formulaRunes = "=+-@＝＋－＠"

// formulaStart tells whether a spreadsheet could run s as a formula.
func formulaStart(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '\t' || s[0] == '\r' || s[0] == '\n' {
		return true
	}
	t := strings.TrimLeft(s, " \t\u00a0\u3000")
	r, _ := utf8.DecodeRuneInString(t)
	return t != "" && strings.ContainsRune(formulaRunes, r)
}

// needsProtection tells whether export puts an apostrophe before s: a
// formula start, or an apostrophe that import would otherwise take for
// one export added (so a name "'-'" exports with a second apostrophe in
// front and comes back whole).
func needsProtection(s string) bool {
	for strings.HasPrefix(s, "'") {
		s = s[1:]
	}
	return formulaStart(s)
}

// protectCell makes s safe to open in a spreadsheet.
func protectCell(s string) string {
	if needsProtection(s) {
		return "'" + s
	}
	return s
}

// protectPhoneCell is protectCell for the phone column, where a valid
// number in E.164 or international format ("+886 912 345 678") is left as
// it is: the only exception to the rule.
func protectPhoneCell(s string) string {
	if isE164Phone(s) {
		return s
	}
	return protectCell(s)
}

// unprotectCell undoes protectCell: it removes one leading apostrophe
// when what follows is something export protects. Any other apostrophe is
// the value's own and stays ("'Ace", "'90s").
func unprotectCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && needsProtection(s[1:]) {
		return s[1:]
	}
	return s
}
