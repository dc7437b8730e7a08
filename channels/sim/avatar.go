package sim

import (
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"strings"
	"unicode"
)

// serveAvatar serves GET /sim-avatar/{id}.svg: a coloured disc with the
// initials of the person (or LINE bot) with that id, so demo pages show
// pictures without reaching the internet.
func (s *Sim) serveAvatar(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSuffix(r.PathValue("file"), ".svg")
	name := s.nameOf(id)
	if name == "" {
		name = "?"
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	hue := h.Sum32() % 360
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">`+
		`<circle cx="64" cy="64" r="64" fill="hsl(%d,55%%,55%%)"/>`+
		`<text x="64" y="64" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="52" fill="#fff">%s</text></svg>`,
		hue, html.EscapeString(initials(name)))
}

// nameOf finds the name of a person or bot id.
func (s *Sim) nameOf(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.people {
		if p := r.byID[id]; p != nil {
			return p.Name
		}
	}
	for _, a := range s.accounts {
		if a.botUserID == id || a.ExternalID == id {
			return a.DisplayName
		}
	}
	return ""
}

// initials is one Han character (the surname) or up to two Latin initials.
func initials(name string) string {
	rs := []rune(strings.TrimSpace(name))
	if len(rs) == 0 {
		return "?"
	}
	if unicode.Is(unicode.Han, rs[0]) {
		return string(rs[0])
	}
	var b strings.Builder
	for _, f := range strings.Fields(name) {
		r := []rune(f)[0]
		if b.Len() < 2 && unicode.IsLetter(r) && r < unicode.MaxASCII {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	if b.Len() == 0 {
		return string(rs[0])
	}
	return b.String()
}
