package web

import (
	"net/url"
	"strings"
	"unicode"
)

// safeNext returns next when it is a path on this site, else fallback, so
// that a crafted link (/login?next=…, /lang/en?next=…) cannot bounce users
// to another site after they act.
func safeNext(next, fallback string) string {
	if !isLocalPath(next) {
		return fallback
	}
	return next
}

// isLocalPath accepts only a path that starts with exactly one "/", not
// followed by "/" or "\", made of printable ASCII (a URL as the browser
// sent it is percent-encoded). Browsers drop tabs and line breaks inside
// URLs and read "\" as "/", so "/\t/evil.example" and "/\evil.example"
// would both lead to //evil.example. The percent-decoded path must pass the
// same checks, so that "/%2F%2Fevil" or "/%5Cevil" cannot become such a
// path in a proxy or a browser that decodes it.
func isLocalPath(next string) bool {
	for i := 0; i < len(next); i++ {
		if next[i] <= ' ' || next[i] >= 0x7f {
			return false
		}
	}
	path, _, _ := strings.Cut(next, "?")
	path, _, _ = strings.Cut(path, "#")
	if !hasLocalShape(path) {
		return false
	}
	decoded, err := url.PathUnescape(path)
	if err != nil || !hasLocalShape(decoded) {
		return false
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
}

// hasLocalShape checks the characters of a path that decide where it leads.
func hasLocalShape(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return false
	}
	for _, r := range p {
		if r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) || isSlashLike(r) {
			return false
		}
	}
	return true
}

// isSlashLike reports characters that look like a slash or a backslash and
// that some software normalises into one (NFKC turns the fullwidth and
// small forms into "/" and "\").
func isSlashLike(r rune) bool {
	switch r {
	case '\u2044', // fraction slash
		'\u2215', // division slash
		'\u2216', // set minus
		'\u29f5', // reverse solidus operator
		'\u29f8', // big solidus
		'\u29f9', // big reverse solidus
		'\ufe68', // small reverse solidus
		'\uff0f', // fullwidth solidus
		'\uff3c': // fullwidth reverse solidus
		return true
	}
	return false
}
