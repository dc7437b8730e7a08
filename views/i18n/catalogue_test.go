package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func loadKeys(t *testing.T, lang string) map[string]string {
	t.Helper()
	files, err := catalogueFiles(lang)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, f := range files {
		raw, err := catalogues.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		part := map[string]any{}
		if err := toml.Unmarshal(raw, &part); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				t.Errorf("%s: key %q is also in another %s file", f, k, lang)
			}
			m[k] = messageText(t, f, k, v)
		}
	}
	return m
}

// messageText is a message's text: the string, or for a message with
// plural forms (a table of one / other) its "other" form, which must exist.
func messageText(t *testing.T, file, key string, v any) string {
	t.Helper()
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		for form, text := range v {
			if _, ok := text.(string); !ok || (form != "zero" && form != "one" && form != "two" && form != "few" && form != "many" && form != "other") {
				t.Errorf("%s: %q has a bad plural form %q", file, key, form)
			}
		}
		if other, ok := v["other"].(string); ok {
			return other
		}
		t.Errorf("%s: %q has no \"other\" plural form", file, key)
	default:
		t.Errorf("%s: %q is neither a string nor plural forms", file, key)
	}
	return ""
}

// TestCataloguesHaveTheSameKeys fails when a key is missing from either catalogue.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	en, zh := loadKeys(t, En), loadKeys(t, ZhTW)
	for k := range en {
		if strings.TrimSpace(zh[k]) == "" {
			t.Errorf("zh-TW lacks %q", k)
		}
	}
	for k := range zh {
		if strings.TrimSpace(en[k]) == "" {
			t.Errorf("en lacks %q", k)
		}
	}
}

// keyUse finds message ids written as string literals in the sources:
// i18n.T(ctx, "x.y"), t(c, "x.y"), Label: "x.y", s.flash(c, "kind", "x.y") …
var keyUse = regexp.MustCompile(`"((?:contacts|tags|import|export|filter|audience|demo|kind|nav|role|menu|lang|action|field|setup|login|logout|area|contacts|broadcasts|bots|channels|users|settings|error|tags|audience|composer|report|channel|contact|filter|import|export|demo|webhook)\.[a-z0-9_.\-]+[a-z0-9])"`)

// modelKeyUse finds message ids in models, where they are error texts
// (errors.New("error.x")); other dotted strings there are SQL.
var modelKeyUse = regexp.MustCompile(`errors\.New\("([a-z0-9_.\-]+)"\)`)

// TestEverySourceKeyIsInTheCatalogues scans the Go and templ sources for
// message ids and fails on any that the catalogues lack.
func TestEverySourceKeyIsInTheCatalogues(t *testing.T) {
	en := loadKeys(t, En)
	root := filepath.Join("..", "..")
	missing := map[string][]string{}
	for _, dir := range []string{"web", "views", "models", "jobs"} {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, "_templ.go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			if !strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, ".templ") {
				return nil
			}
			raw, _ := os.ReadFile(p)
			re := keyUse
			if strings.Contains(filepath.ToSlash(p), "/models/") {
				re = modelKeyUse
			}
			for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
				if _, ok := en[m[1]]; !ok && !strings.HasSuffix(m[1], ".") {
					missing[m[1]] = append(missing[m[1]], p)
				}
			}
			return nil
		})
	}
	keys := make([]string, 0, len(missing))
	for k := range missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("%q used in %v but not in the catalogues", k, missing[k])
	}
}

func TestLocalizerFillsTemplates(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Localizer(ZhTW).T("login.locked", "Minutes", 7); !strings.Contains(got, "7 分鐘") {
		t.Fatalf("zh-TW template = %q", got)
	}
	if got := b.Localizer(En).T("nav.contacts"); got != "Contacts" {
		t.Fatalf("en = %q", got)
	}
	if got := b.Localizer(ZhTW).T("no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key = %q", got)
	}
}

// TestKeysBuiltAtRunTime covers ids that views build from data
// ("kind." + kind, "role." + role, "lang." + lang).
func TestKeysBuiltAtRunTime(t *testing.T) {
	en, zh := loadKeys(t, En), loadKeys(t, ZhTW)
	var ids []string
	for _, kind := range []string{"messenger", "line", "whatsapp", "instagram"} {
		ids = append(ids, "kind."+kind, "channel.help."+kind)
	}
	for _, role := range []string{"admin", "marketer"} {
		ids = append(ids, "role."+role)
	}
	for _, lang := range Languages() {
		ids = append(ids, "lang."+lang)
	}
	for _, id := range ids {
		if en[id] == "" || zh[id] == "" {
			t.Errorf("%q missing from a catalogue", id)
		}
	}
}

// TestPluralForms: English counts take the catalogue's plural forms.
func TestPluralForms(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	en, zh := b.Localizer(En), b.Localizer(ZhTW)
	if got := en.T("import.confirm", "Count", 1); got != "Import 1 contact" {
		t.Errorf("one = %q", got)
	}
	if got := en.T("import.confirm", "Count", 3); got != "Import 3 contacts" {
		t.Errorf("other = %q", got)
	}
	if got := zh.T("import.confirm", "Count", 1); got != "匯入 1 位聯絡人" {
		t.Errorf("zh-TW = %q", got)
	}
}
