// Package static embeds omnicast's CSS, JavaScript and images and serves
// them under content-hash URLs, so browsers may cache them for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css js img
var files embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/static/"

// Assets maps logical names ("css/app.css") to hashed URLs and back.
type Assets struct {
	byName map[string]string // "css/app.css" -> "/static/css/app.3f2a9c1d.css"
	byURL  map[string]asset  // hashed URL path (without prefix) -> content
}

type asset struct {
	body        []byte
	contentType string
	etag        string
}

// Load hashes every embedded file once.
func Load() (*Assets, error) {
	a := &Assets{byName: map[string]string{}, byURL: map[string]asset{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		short := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + short + ext
		a.byName[p] = Prefix + hashed
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.byURL[hashed] = asset{body: body, contentType: ct, etag: `"` + short + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: hash assets: %w", err)
	}
	return a, nil
}

// URL returns the hashed URL of a logical asset name. An unknown name is a
// programming error, so it panics at the first render in tests.
func (a *Assets) URL(name string) string {
	u, ok := a.byName[name]
	if !ok {
		panic("static: unknown asset " + name)
	}
	return u
}

// ServeHTTP serves a hashed asset with immutable caching; the path must
// have Prefix stripped.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byURL[strings.TrimPrefix(r.URL.Path, "/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag)
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(f.body)
}
