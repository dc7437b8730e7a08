package models_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// testJPEG is a w×h JPEG; noisy ones barely compress.
func testJPEG(t testing.TB, w, h int, noisy bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{uint8(x), uint8(y), 128, 255}
			if noisy {
				c = color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testPNG is a w×h PNG, half transparent.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{200, 30, 30, uint8(255 * (x % 2))})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngClaiming rewrites a small PNG's header to claim w×h (CRC fixed), as
// a decompression bomb would.
func pngClaiming(t testing.TB, w, h uint32) []byte {
	b := testPNG(t, 4, 4)
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestStoreUploadChecksContentAndStoresOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		dir := filepath.Join(t.TempDir(), "media")
		pic := testJPEG(t, 1600, 900, false)
		u, err := models.StoreUpload(db, dir, pic, 7, now)
		if err != nil {
			t.Fatal(err)
		}
		if u.ContentType != "image/jpeg" || u.Width != 1600 || u.Height != 900 || u.Bytes != int64(len(pic)) || u.CreatedBy != 7 || len(u.Hash) != 64 {
			t.Fatalf("upload %+v", u)
		}
		// The preview: JPEG, ≤ 1024 px on the long side, ≤ 1 MB, on disk and in the database.
		prev, err := os.ReadFile(filepath.Join(dir, u.PreviewFileName()))
		if err != nil {
			t.Fatal(err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(prev))
		if err != nil || format != "jpeg" || cfg.Width != 1024 || cfg.Height != 576 || len(prev) > models.PreviewMaxBytes || int64(len(prev)) != u.PreviewBytes {
			t.Fatalf("preview %s %dx%d %d bytes: %v", format, cfg.Width, cfg.Height, len(prev), err)
		}
		if orig, err := os.ReadFile(filepath.Join(dir, u.Hash+".jpg")); err != nil || !bytes.Equal(orig, pic) {
			t.Fatalf("original on disk: %v", err)
		}

		// Same bytes, same row (whoever uploads them).
		again, err := models.StoreUpload(db, dir, pic, 8, now.Add(time.Hour))
		if err != nil || again.ID != u.ID {
			t.Fatalf("again: %+v %v", again, err)
		}
		var n int64
		db.Model(&models.Upload{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d rows for one image", n)
		}

		// The database holds the bytes: another instance (empty cache) serves them.
		other := filepath.Join(t.TempDir(), "media")
		f, err := models.ReadMedia(db, other, u.FileName())
		if err != nil || f.ContentType != "image/jpeg" || !bytes.Equal(f.Data, pic) {
			t.Fatalf("read from the database: %v", err)
		}
		if _, err := os.Stat(filepath.Join(other, u.FileName())); err != nil {
			t.Fatalf("not cached: %v", err)
		}
		if f, err := models.ReadMedia(db, other, u.PreviewFileName()); err != nil || !bytes.Equal(f.Data, prev) {
			t.Fatalf("preview from the database: %v", err)
		}
		for _, bad := range []string{u.Hash + ".png", u.Hash + "-preview.png", "../" + u.FileName(), u.Hash[:63] + ".jpg", "x.jpg", u.Hash, u.PreviewHash + ".jpg"} {
			if _, err := models.ReadMedia(db, t.TempDir(), bad); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("media %q: %v", bad, err)
			}
		}

		// PNG keeps its type; its preview is a JPEG on white.
		p, err := models.StoreUpload(db, dir, testPNG(t, 300, 200), 7, now)
		if err != nil || p.ContentType != "image/png" || p.Width != 300 || p.Height != 200 || p.FileName() != p.Hash+".png" {
			t.Fatalf("png: %+v %v", p, err)
		}
		img := p.Image("https://omnicast.example.com/")
		if img.URL != "https://omnicast.example.com/media/"+p.Hash+".png" || img.PreviewURL != "https://omnicast.example.com/media/"+p.Hash+"-preview.jpg" ||
			img.Width != 300 || img.ContentType != "image/png" || img.Bytes != p.Bytes {
			t.Fatalf("image %+v", img)
		}
		if found, err := models.FindUpload(db, p.ID); err != nil || found.Hash != p.Hash {
			t.Fatalf("find: %v", err)
		}
		if _, err := models.FindUpload(db, 9999); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("find unknown: %v", err)
		}
	})
}

func TestStoreUploadRefuses(t *testing.T) {
	db := dbtest.SQLite(t)
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White}), nil); err != nil {
		t.Fatal(err)
	}
	pic := testJPEG(t, 64, 64, false)
	tooLarge := append(append([]byte{}, pic...), make([]byte, models.UploadMaxBytes)...)
	for name, c := range map[string]struct {
		data []byte
		want error
	}{
		"gif":            {gifBuf.Bytes(), models.ErrUploadType},
		"text named png": {[]byte("<html>not an image</html>"), models.ErrUploadType},
		"empty":          {nil, models.ErrUploadEmpty},
		"over 10 MiB":    {tooLarge, models.ErrUploadTooLarge},
		"truncated jpeg": {pic[:len(pic)/2], models.ErrUploadCorrupt},
		"jpeg magic":     {append([]byte{0xFF, 0xD8, 0xFF}, bytes.Repeat([]byte{0}, 100)...), models.ErrUploadCorrupt},
		"png bomb":       {pngClaiming(t, 50000, 50000), models.ErrUploadPixels},
	} {
		if _, err := models.StoreUpload(db, t.TempDir(), c.data, 1, time.Now()); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
	}
	var n int64
	db.Model(&models.Upload{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d refused uploads stored", n)
	}
}

// TestPreviewFitsOneMegabyte: a photo that barely compresses (noise) still
// gets a preview within LINE's 1 MB.
func TestPreviewFitsOneMegabyte(t *testing.T) {
	db := dbtest.SQLite(t)
	pic := testJPEG(t, 2400, 1800, true)
	u, err := models.StoreUpload(db, "", pic, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if u.PreviewBytes > models.PreviewMaxBytes || u.Width != 2400 {
		t.Fatalf("preview of %d bytes (original %d)", u.PreviewBytes, u.Bytes)
	}
	t.Logf("original %d bytes, preview %d bytes", u.Bytes, u.PreviewBytes)
}

func TestConcurrentSameUploadMakesOneRow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		pic := testPNG(t, 50, 50)
		var wg sync.WaitGroup
		ids := make([]uint, 4)
		errs := make([]error, 4)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, err := models.StoreUpload(db, t.TempDir(), pic, 1, time.Now())
				if err == nil {
					ids[i] = u.ID
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("concurrent uploads: ids %v errs %v", ids, errs)
			}
		}
	})
}

// TestSmallJPEGIsItsOwnPreview: a JPEG already within LINE's preview
// limits is not re-encoded (that would only grow it).
func TestSmallJPEGIsItsOwnPreview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		dir := t.TempDir()
		pic := testJPEG(t, 800, 600, false)
		u, err := models.StoreUpload(db, dir, pic, 1, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if u.PreviewHash != u.Hash || u.PreviewBytes != u.Bytes {
			t.Fatalf("preview %s (%d bytes) for %s (%d bytes)", u.PreviewHash, u.PreviewBytes, u.Hash, u.Bytes)
		}
		f, err := models.ReadMedia(db, t.TempDir(), u.PreviewFileName())
		if err != nil || !bytes.Equal(f.Data, pic) {
			t.Fatalf("preview served: %v", err)
		}
		// A small PNG still gets a JPEG preview.
		p, err := models.StoreUpload(db, dir, testPNG(t, 100, 100), 1, time.Now())
		if err != nil || p.PreviewHash == p.Hash {
			t.Fatalf("png preview: %+v %v", p, err)
		}
	})
}
