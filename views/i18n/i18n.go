// Package i18n loads omnicast's message catalogues (zh-TW and en) and puts a
// localizer in the request context for templ components to use.
package i18n

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var catalogues embed.FS

// Supported languages, the first being the default.
const (
	ZhTW = "zh-TW"
	En   = "en"
)

// Languages lists the supported language codes, default first.
func Languages() []string { return []string{ZhTW, En} }

// catalogueFiles lists a language's catalogue files: locales/<area>.<lang>.toml,
// one per area of the app, so that areas can grow without touching each other.
func catalogueFiles(lang string) ([]string, error) {
	files, err := fs.Glob(catalogues, "locales/*."+lang+".toml")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("i18n: no %s catalogue", lang)
	}
	return files, nil
}

// Bundle holds every catalogue.
type Bundle struct {
	bundle  *goi18n.Bundle
	matcher language.Matcher
}

// NewBundle loads the embedded catalogues.
func NewBundle() (*Bundle, error) {
	b := goi18n.NewBundle(language.MustParse(ZhTW))
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, lang := range Languages() {
		files, err := catalogueFiles(lang)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if _, err := b.LoadMessageFileFS(catalogues, f); err != nil {
				return nil, fmt.Errorf("i18n: load %s: %w", f, err)
			}
		}
	}
	tags := []language.Tag{language.MustParse(ZhTW), language.MustParse(En)}
	return &Bundle{bundle: b, matcher: language.NewMatcher(tags)}, nil
}

// Match picks the supported language for a saved choice (first) or an
// Accept-Language header, defaulting to zh-TW.
func (b *Bundle) Match(saved, acceptLanguage string) string {
	if IsSupported(saved) {
		return saved
	}
	if acceptLanguage == "" {
		return ZhTW
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return ZhTW
	}
	_, idx, conf := b.matcher.Match(prefs...)
	if conf == language.No {
		return ZhTW
	}
	return Languages()[idx]
}

// IsSupported tells whether lang is one of Languages.
func IsSupported(lang string) bool {
	for _, l := range Languages() {
		if l == lang {
			return true
		}
	}
	return false
}

// Localizer translates message ids into one language.
type Localizer struct {
	Lang string
	l    *goi18n.Localizer
}

// Localizer returns a localizer for a supported language.
func (b *Bundle) Localizer(lang string) *Localizer {
	if !IsSupported(lang) {
		lang = ZhTW
	}
	return &Localizer{Lang: lang, l: goi18n.NewLocalizer(b.bundle, lang)}
}

// pluralArgs are the template data keys whose number picks a message's
// plural form (the catalogue's one / other …): "N" or "Count". Only a
// number picks: a page may show N grouped ("1,234") and pass the number
// as Count.
var pluralArgs = map[string]bool{"N": true, "Count": true}

func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

// T translates id; args are template data as alternating key, value pairs
// ("N", 3). A number under "N" or "Count" picks the plural form, so the
// English catalogue can say "1 contact" and "2 contacts". A missing id
// renders as the id itself so the page still shows, and the catalogue test
// catches it.
func (lz *Localizer) T(id string, args ...any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			key := fmt.Sprint(args[i])
			data[key] = args[i+1]
			if pluralArgs[key] && cfg.PluralCount == nil && isNumber(args[i+1]) {
				cfg.PluralCount = args[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := lz.l.Localize(cfg)
	if err != nil && s == "" {
		// A message without the plural form asked for still renders its
		// "other" form (s); only a missing message shows the id.
		return id
	}
	return s
}

type ctxKey struct{}

// WithLocalizer returns ctx carrying lz.
func WithLocalizer(ctx context.Context, lz *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, lz)
}

// FromContext returns the localizer in ctx, or nil.
func FromContext(ctx context.Context) *Localizer {
	lz, _ := ctx.Value(ctxKey{}).(*Localizer)
	return lz
}

// T translates id with the localizer in ctx.
func T(ctx context.Context, id string, args ...any) string {
	lz := FromContext(ctx)
	if lz == nil {
		return id
	}
	return lz.T(id, args...)
}

// Lang returns the language of the localizer in ctx (zh-TW if none).
func Lang(ctx context.Context) string {
	if lz := FromContext(ctx); lz != nil {
		return lz.Lang
	}
	return ZhTW
}
