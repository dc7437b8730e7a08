package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

// compressMinSize is the smallest body worth compressing: below about a
// kilobyte gzip's overhead eats the gain.
const compressMinSize = 1024

// compressed wraps h so that pages and other text answers are sent
// gzip-compressed to clients that accept it. gzhttp (klauspost/compress)
// buffers the first compressMinSize bytes to decide, leaves alone answers
// that already carry a Content-Encoding (the precompressed static files,
// /metrics, which Prometheus' handler compresses itself) and, with
// compressible below, images and other already-compressed formats.
func compressed(h http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(compressMinSize),
		gzhttp.EnableZstd(false),
		gzhttp.ContentTypeFilter(compressible),
	)
	if err != nil {
		return nil, fmt.Errorf("web: compression: %w", err)
	}
	return wrap(h), nil
}

// compressible tells which content types are worth compressing: text and
// structured data, and SVG among images; not photos, video, audio, fonts
// in compressed formats or archives.
func compressible(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if strings.HasPrefix(ct, "image/") {
		return strings.HasPrefix(ct, "image/svg+xml")
	}
	if strings.HasPrefix(ct, "font/woff") {
		return false
	}
	return gzhttp.DefaultContentTypeFilter(ct)
}
