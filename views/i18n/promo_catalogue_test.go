package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"omnicast/channels/messenger"
)

// promoKeyUse finds the promo area's message ids in the sources (the
// shared key scan lists other areas).
var promoKeyUse = regexp.MustCompile(`"(promo\.[a-z0-9_.\-]+[a-z0-9])"`)

// TestPromoKeys: every promotion rule is explained, every severity named,
// and every promo.* id the sources use exists, in both languages.
func TestPromoKeys(t *testing.T) {
	en, zh := loadKeys(t, En), loadKeys(t, ZhTW)
	var ids []string
	for _, name := range messenger.PromoRuleNames() {
		ids = append(ids, "promo.rule."+name)
	}
	for s := messenger.PromoHint; s <= messenger.PromoCertain; s++ {
		ids = append(ids, "promo.severity."+strconv.Itoa(s))
	}
	root := filepath.Join("..", "..")
	for _, dir := range []string{"web", "views", "models"} {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, "_templ.go") || strings.HasSuffix(p, "_test.go") ||
				!(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".templ")) {
				return nil
			}
			raw, _ := os.ReadFile(p)
			for _, m := range promoKeyUse.FindAllStringSubmatch(string(raw), -1) {
				if !strings.HasSuffix(m[1], ".") {
					ids = append(ids, m[1])
				}
			}
			return nil
		})
	}
	for _, id := range ids {
		if en[id] == "" || zh[id] == "" {
			t.Errorf("%q missing from a catalogue", id)
		}
	}
}
