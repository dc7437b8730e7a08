// Package static embeds omnicast's CSS, JavaScript and images and serves
// them under content-hash URLs, so browsers may cache them for a year.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
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
	// gzipped is body compressed once at start, when that is worth it
	// (text formats over a kilobyte); nil otherwise.
	gzipped []byte
}

// precompressMinSize is the smallest asset worth compressing.
const precompressMinSize = 1024

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
		gz, err := precompress(body, ct)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		a.byURL[hashed] = asset{body: body, contentType: ct, etag: `"` + short + `"`, gzipped: gz}
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
	body, etag := f.body, f.etag
	if f.gzipped != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			// Each encoding is its own representation, with its own ETag.
			body, etag = f.gzipped, strings.TrimSuffix(f.etag, `"`)+`-gzip"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// precompress gzips a text asset at the best ratio, once, at start;
// images that are already compressed and tiny files stay as they are.
func precompress(body []byte, contentType string) ([]byte, error) {
	if len(body) < precompressMinSize || !isText(contentType) {
		return nil, nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() >= len(body) {
		return nil, nil
	}
	return buf.Bytes(), nil
}

// isText tells the formats that compress well.
func isText(contentType string) bool {
	ct := strings.ToLower(contentType)
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") ||
		strings.Contains(ct, "json") || strings.HasPrefix(ct, "image/svg+xml")
}

// acceptsGzip reads Accept-Encoding: gzip with a non-zero quality, or a
// "*" that gzip does not override.
func acceptsGzip(headers []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip":
				gzipQ = quality(params)
			case "*":
				starQ = quality(params)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// quality reads the q parameter of an Accept-Encoding entry (1 when absent).
func quality(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return q
			}
			return 0
		}
	}
	return 1
}
