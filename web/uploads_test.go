package web

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func webTestJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func webTestPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartFile is a body with one file field named field.
func multipartFile(t *testing.T, field, filename string, data []byte, extra map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range extra {
		_ = w.WriteField(k, v)
	}
	if field != "" {
		fw, err := w.CreateFormFile(field, filename)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = w.Close()
	return w.FormDataContentType(), &body
}

// uploadAsPage posts a file to /uploads as the composer does (CSRF header).
func (b *browser) uploadAsPage(filename string, data []byte) apiResponse {
	b.t.Helper()
	if b.lastCSRF == "" {
		b.get("/contacts")
	}
	ct, body := multipartFile(b.t, "file", filename, data, nil)
	req, _ := http.NewRequest(http.MethodPost, b.app.http.URL+"/uploads", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set(csrfHeader, b.lastCSRF)
	p := b.do(req)
	return decodeAPIPage(b.t, p)
}

func decodeAPIPage(t *testing.T, p page) apiResponse {
	t.Helper()
	r := apiResponse{status: p.status, header: p.header, raw: p.body}
	if !strings.HasPrefix(p.header.Get("Content-Type"), "application/json") {
		t.Fatalf("not JSON (%d %s): %.300s", p.status, p.header.Get("Content-Type"), p.body)
	}
	if err := jsonUnmarshal(p.body, &r.body); err != nil {
		t.Fatalf("bad JSON: %v: %.300s", err, p.body)
	}
	return r
}

func TestPageUploadAndMedia(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		var mediaDir string
		app := newTestAppWith(t, db, func(c *Config) { mediaDir = c.MediaDir })
		app.addUser("mei@example.com", models.RoleMarketer)
		b := app.browser()
		b.signIn("mei@example.com")

		pic := webTestJPEG(t, 1500, 1000)
		r := b.uploadAsPage("photo.png", pic) // the name says PNG; the content decides
		wantAPIStatus(t, r, http.StatusCreated, "")
		if r.body["content_type"] != "image/jpeg" || r.body["width"] != float64(1500) || r.body["height"] != float64(1000) || r.body["bytes"] != float64(len(pic)) {
			t.Fatalf("upload answer %s", r.raw)
		}
		url, _ := r.body["url"].(string)
		preview, _ := r.body["preview_url"].(string)
		if !strings.HasPrefix(url, "/media/") || !strings.HasSuffix(url, ".jpg") || !strings.HasSuffix(preview, "-preview.jpg") {
			t.Fatalf("urls %q %q", url, preview)
		}
		if _, err := os.Stat(filepath.Join(mediaDir, strings.TrimPrefix(url, "/media/"))); err != nil {
			t.Fatalf("not in the media dir: %v", err)
		}

		// /media needs no session, and is cached for good.
		for _, path := range []string{url, preview} {
			res, err := http.Get(app.http.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.Contains(res.Header.Get("Cache-Control"), "max-age=31536000") {
				t.Fatalf("GET %s: %d %v", path, res.StatusCode, res.Header)
			}
			if path == url && !bytes.Equal(data, pic) {
				t.Fatal("served bytes differ")
			}
			if path == preview {
				cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
				if err != nil || cfg.Width != 1024 || cfg.Height != 682 || len(data) > models.PreviewMaxBytes {
					t.Fatalf("preview %dx%d %d bytes %v", cfg.Width, cfg.Height, len(data), err)
				}
			}
		}
		// Another instance, with an empty cache, serves it from the database.
		if err := os.RemoveAll(mediaDir); err != nil {
			t.Fatal(err)
		}
		res, err := http.Get(app.http.URL + url)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("after the cache is gone: %d", res.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodGet, app.http.URL+url, nil)
		req.Header.Set("If-None-Match", `"`+strings.TrimPrefix(url, "/media/")+`"`)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNotModified {
			t.Fatalf("conditional GET: %v %v", res, err)
		}
		for _, bad := range []string{"/media/nothing.jpg", "/media/" + strings.Repeat("a", 64) + ".jpg", "/media/..%2f..%2fetc%2fpasswd"} {
			res, err := http.Get(app.http.URL + bad)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d", bad, res.StatusCode)
			}
		}

		// Refusals answer JSON, in the user's language, on the field "file".
		r = b.uploadAsPage("anim.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"))
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "upload_type")
		if r.errorField() != "file" || !strings.Contains(r.errorMessage(), "JPEG and PNG") {
			t.Fatalf("type refusal %s", r.raw)
		}
		b.lang = "zh-TW"
		r = b.uploadAsPage("big.jpg", append(append([]byte{}, pic...), make([]byte, models.UploadMaxBytes)...))
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "upload_too_large")
		if r.errorMessage() != "圖片超過 10 MB，請選擇較小的圖片，或以較低的品質另存。" {
			t.Fatalf("zh-TW size refusal %q", r.errorMessage())
		}
		b.lang = "en"
		r = b.uploadAsPage("half.jpg", pic[:len(pic)/3])
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "upload_corrupt")
		// Far over the body limit: 413, still JSON.
		r = b.uploadAsPage("huge.jpg", make([]byte, 12<<20))
		wantAPIStatus(t, r, http.StatusRequestEntityTooLarge, "too_large")

		// The page route keeps CSRF.
		ct, body := multipartFile(t, "file", "a.png", webTestPNG(t), nil)
		req, _ = http.NewRequest(http.MethodPost, app.http.URL+"/uploads", body)
		req.Header.Set("Content-Type", ct)
		p := b.do(req)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "csrf_invalid") {
			t.Fatalf("upload without CSRF: %d %.200s", p.status, p.body)
		}
	})
}

func TestAPIUpload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		client := app.apiClientFor("mei@example.com", models.RoleMarketer)
		pic := webTestPNG(t)
		ct, body := multipartFile(t, "file", "x.bin", pic, nil)
		// No CSRF token, no session: the bearer token is enough.
		r := client.do(http.MethodPost, "/api/v1/uploads", ct, body)
		wantAPIStatus(t, r, http.StatusCreated, "")
		if r.body["width"] != float64(40) || r.body["height"] != float64(30) || r.body["bytes"] != float64(len(pic)) || r.body["id"] == nil {
			t.Fatalf("answer %s", r.raw)
		}
		u, err := models.FindUpload(db, uint(r.body["id"].(float64)))
		if err != nil || u.ContentType != "image/png" {
			t.Fatalf("stored %+v %v", u, err)
		}
		var who models.User
		db.First(&who, u.CreatedBy)
		if who.Email != "mei@example.com" {
			t.Fatalf("created by %q", who.Email)
		}
		// Uploading it again gives the same id.
		ct, body = multipartFile(t, "file", "again.png", pic, nil)
		if again := client.do(http.MethodPost, "/api/v1/uploads", ct, body); again.body["id"] != r.body["id"] {
			t.Fatalf("again %s", again.raw)
		}

		ct, body = multipartFile(t, "", "", nil, map[string]string{"other": "x"})
		r = client.do(http.MethodPost, "/api/v1/uploads", ct, body)
		wantAPIStatus(t, r, http.StatusUnprocessableEntity, "file_required")
		ct, body = multipartFile(t, "file", "x.txt", []byte("hello"), nil)
		wantAPIStatus(t, client.do(http.MethodPost, "/api/v1/uploads", ct, body), http.StatusUnprocessableEntity, "upload_type")
		ct, body = multipartFile(t, "file", "x.jpg", make([]byte, 12<<20), nil)
		wantAPIStatus(t, client.do(http.MethodPost, "/api/v1/uploads", ct, body), http.StatusRequestEntityTooLarge, "too_large")
		anon := &apiClient{t: t, app: app, lang: "en"}
		ct, body = multipartFile(t, "file", "x.png", pic, nil)
		wantAPIStatus(t, anon.do(http.MethodPost, "/api/v1/uploads", ct, body), http.StatusUnauthorized, "unauthorized")
	})
}
