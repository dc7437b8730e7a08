package models_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestComposeErrorCodesAreWorded: every code the composer's rules report
// (as written in the models' broadcast sources) has its compose.error.*
// message in both catalogues, so neither the form nor the API ever shows
// a bare key.
func TestComposeErrorCodesAreWorded(t *testing.T) {
	sources, err := filepath.Glob("broadcast_*.go")
	if err != nil {
		t.Fatal(err)
	}
	codeUse := regexp.MustCompile(`(?:Code: |v\.add\([^,]+, |field\()"([a-z_]+)"`)
	codes := map[string]bool{"scheduled_at_invalid": true} // the API's own (web)
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		raw, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeUse.FindAllStringSubmatch(string(raw), -1) {
			codes[m[1]] = true
		}
	}
	if len(codes) < 30 {
		t.Fatalf("found only %d codes: the pattern no longer matches the sources", len(codes))
	}
	for _, lang := range []string{"en", "zh-TW"} {
		raw, err := os.ReadFile(filepath.Join("..", "views", "i18n", "locales", "compose_errors."+lang+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		for code := range codes {
			if !regexp.MustCompile(`(?m)^"compose\.error\.` + code + `" = `).Match(raw) {
				t.Errorf("%s: compose.error.%s is missing", lang, code)
			}
		}
	}
}
