package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestIDParsers(t *testing.T) {
	for _, s := range []string{"", "0", "-1", "abc", "1.5", " 1", "4294967296", "9223372036854775808"} {
		if _, ok := parseID(s); ok {
			t.Errorf("parseID(%q) accepted", s)
		}
	}
	if id, ok := parseID("4294967295"); !ok || id != 4294967295 {
		t.Errorf("parseID max = %d, %v", id, ok)
	}
	if _, ok := parseContactID("9223372036854775808"); ok { // 2⁶³
		t.Error("parseContactID accepted 2⁶³")
	}
	if id, ok := parseContactID("9223372036854775807"); !ok || id != 1<<63-1 {
		t.Errorf("parseContactID max = %d, %v", id, ok)
	}
}

// sentinelCompare finds `err == models.ErrX` and the like: a sentinel
// compared with == stops matching the day the error is wrapped, and a
// handler that meant 404 answers 500. errors.Is is the only comparison.
var sentinelCompare = regexp.MustCompile(`[!=]= *(?:[a-z]+\.)?Err[A-Z]\w*|(?:[a-z]+\.)?Err[A-Z]\w* *[!=]=`)

func TestSentinelErrorsAreComparedWithErrorsIs(t *testing.T) {
	root := ".."
	for _, dir := range []string{"web", "models", "jobs", "channels", "cmd", "views"} {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, "_templ.go") {
				return nil
			}
			raw, _ := os.ReadFile(p)
			for i, line := range strings.Split(string(raw), "\n") {
				code, _, _ := strings.Cut(line, "//")
				// An Is method compares its own target, as errors.Is asks it to.
				if strings.Contains(code, "Is(target error)") {
					continue
				}
				if m := sentinelCompare.FindString(code); m != "" {
					t.Errorf("%s:%d compares a sentinel error with ==: %s", p, i+1, strings.TrimSpace(line))
				}
			}
			return nil
		})
	}
}
