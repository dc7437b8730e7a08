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

// loadKeys reads a language's catalogues: id → text (for a message with
// plural forms, its "other" form).
func loadKeys(t *testing.T, lang string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for id, forms := range loadForms(t, lang) {
		m[id] = forms["other"]
	}
	return m
}

// loadForms reads a language's catalogues: id → plural form → text; a
// plain message has the single form "other".
func loadForms(t *testing.T, lang string) map[string]map[string]string {
	t.Helper()
	files, err := catalogueFiles(lang)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]map[string]string{}
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
			switch v := v.(type) {
			case string:
				m[k] = map[string]string{"other": v}
			case map[string]any:
				forms := map[string]string{}
				for form, text := range v {
					s, ok := text.(string)
					if !ok || !pluralFormNames[form] {
						t.Errorf("%s: %q has a bad plural form %q", f, k, form)
					}
					forms[form] = s
				}
				for _, form := range requiredForms(lang) {
					if strings.TrimSpace(forms[form]) == "" {
						t.Errorf("%s: %q lacks its %q plural form", f, k, form)
					}
				}
				m[k] = forms
			default:
				t.Errorf("%s: %q is neither text nor plural forms", f, k)
			}
		}
	}
	return m
}

// requiredForms are the plural forms a message with forms must have in a
// language: English needs one and other; Chinese has only other.
func requiredForms(lang string) []string {
	if lang == En {
		return []string{"one", "other"}
	}
	return []string{"other"}
}

// pluralFormNames are CLDR's plural categories, the only keys a plural
// table may have.
var pluralFormNames = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

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

// TestPluralForms: a count picks the English form ("1 contact", "2
// contacts") and zh-TW's single form.
func TestPluralForms(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang  string
		count int
		want  string
	}{
		{En, 1, "1 contact on this page could not be read and is not shown."},
		{En, 2, "2 contacts on this page could not be read and are not shown."},
		{ZhTW, 1, "此頁有 1 位聯絡人的資料無法讀取"},
		{ZhTW, 3, "此頁有 3 位聯絡人的資料無法讀取"},
	} {
		if got := b.Localizer(c.lang).T("contacts.unreadable_skipped", "Count", c.count); !strings.Contains(got, c.want) {
			t.Errorf("%s, %d: %q, want %q", c.lang, c.count, got, c.want)
		}
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
