package models

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/image/draw"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"omnicast/channels"
)

// Upload is an image staff uploaded for a broadcast or a bot module. It is
// stored once per content (Hash), whoever uploads it again. The bytes of
// the image and its preview live in the database (upload_blobs), so every
// instance can serve them; the media directory is each instance's cache of
// them, named by hash.
type Upload struct {
	ID          uint   `gorm:"primaryKey"`
	Hash        string `gorm:"size:64;not null;uniqueIndex"`
	ContentType string `gorm:"size:32;not null"`
	Width       int    `gorm:"not null"`
	Height      int    `gorm:"not null"`
	Bytes       int64  `gorm:"not null"`
	// PreviewHash names the preview: a JPEG of at most 1 MB and 1024 px on
	// its long side (LINE's previewImageUrl).
	PreviewHash  string `gorm:"size:64;not null"`
	PreviewBytes int64  `gorm:"not null"`
	CreatedBy    uint   `gorm:"not null"`
	CreatedAt    time.Time
}

// UploadBlob holds the bytes of an upload or a preview, by their hash.
type UploadBlob struct {
	Hash string `gorm:"primaryKey;size:64"`
	Data []byte `gorm:"not null"`
}

// Limits of an upload.
const (
	// UploadMaxBytes is the largest image taken: LINE's limit for an
	// original (Messenger's, 8 MB, is checked per channel when composing).
	UploadMaxBytes = 10 << 20
	// UploadMaxPixels bounds what decoding may cost: a small PNG can
	// claim an enormous canvas.
	UploadMaxPixels = 40_000_000
	// PreviewMaxSide and PreviewMaxBytes are LINE's preview limits.
	PreviewMaxSide  = 1024
	PreviewMaxBytes = 1 << 20
)

// Upload errors carry message ids.
var (
	ErrUploadType     = errors.New("upload.error.type")
	ErrUploadTooLarge = errors.New("upload.error.too_large")
	ErrUploadPixels   = errors.New("upload.error.pixels")
	ErrUploadCorrupt  = errors.New("upload.error.corrupt")
	ErrUploadEmpty    = errors.New("upload.error.empty")
)

// Media file name extensions by content type.
var uploadExt = map[string]string{"image/jpeg": "jpg", "image/png": "png"}

// StoreUpload checks an image by its content (never its name), reads its
// dimensions, makes its preview and stores it, once: the same bytes give
// the same row. The files are also written to dir (the media cache) when
// dir is not empty.
func StoreUpload(db *gorm.DB, dir string, data []byte, by uint, now time.Time) (*Upload, error) {
	img, ct, err := checkImage(data)
	if err != nil {
		return nil, err
	}
	hash := hashBytes(data)
	if u, err := findUploadByHash(db, hash); err == nil {
		return u, cacheUploadFiles(db, dir, u)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	decoded, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrUploadCorrupt
	}
	preview := data
	if !fitsAsPreview(ct, img, len(data)) {
		if preview, err = makePreview(decoded); err != nil {
			return nil, err
		}
	}
	u := &Upload{
		Hash: hash, ContentType: ct, Width: img.Width, Height: img.Height, Bytes: int64(len(data)),
		PreviewHash: hashBytes(preview), PreviewBytes: int64(len(preview)), CreatedBy: by, CreatedAt: now.UTC(),
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		blobs := []UploadBlob{{Hash: u.Hash, Data: data}}
		if u.PreviewHash != u.Hash {
			blobs = append(blobs, UploadBlob{Hash: u.PreviewHash, Data: preview})
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&blobs).Error; err != nil {
			return fmt.Errorf("models: store upload bytes: %w", err)
		}
		// Two uploads of the same bytes at once: the second finds the first's row.
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(u)
		if res.Error != nil {
			return fmt.Errorf("models: store upload: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			found, err := findUploadByHash(tx, hash)
			if err != nil {
				return err
			}
			u = found
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, cacheUploadFiles(db, dir, u)
}

// checkImage sniffs the type from the bytes and reads the dimensions.
func checkImage(data []byte) (image.Config, string, error) {
	if len(data) == 0 {
		return image.Config{}, "", ErrUploadEmpty
	}
	if len(data) > UploadMaxBytes {
		return image.Config{}, "", ErrUploadTooLarge
	}
	ct := http.DetectContentType(data)
	if _, ok := uploadExt[ct]; !ok {
		return image.Config{}, "", ErrUploadType
	}
	var cfg image.Config
	var err error
	if ct == "image/png" {
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return image.Config{}, "", ErrUploadCorrupt
	}
	if int64(cfg.Width)*int64(cfg.Height) > UploadMaxPixels {
		return image.Config{}, "", ErrUploadPixels
	}
	return cfg, ct, nil
}

// fitsAsPreview tells whether the original can serve as its own preview:
// a JPEG within the preview's limits (re-encoding would only grow it).
func fitsAsPreview(contentType string, cfg image.Config, size int) bool {
	return contentType == "image/jpeg" && max(cfg.Width, cfg.Height) <= PreviewMaxSide && size <= PreviewMaxBytes
}

// makePreview scales the image to PreviewMaxSide on its long side (never
// up), flattens transparency onto white (JPEG has none) and encodes it as
// JPEG, lowering the quality until it fits PreviewMaxBytes.
func makePreview(src image.Image) ([]byte, error) {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if long := max(w, h); long > PreviewMaxSide {
		w, h = max(1, w*PreviewMaxSide/long), max(1, h*PreviewMaxSide/long)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	stddraw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, stddraw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	for _, q := range []int{85, 75, 60, 45, 30} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: q}); err != nil {
			return nil, fmt.Errorf("models: encode preview: %w", err)
		}
		if buf.Len() <= PreviewMaxBytes {
			return buf.Bytes(), nil
		}
	}
	// 1024 px at quality 30 is far below 1 MB; reaching here means a bug.
	return nil, errors.New("models: preview does not fit 1 MB")
}

func hashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// FindUpload loads an upload by id; ErrNotFound when there is none.
func FindUpload(db *gorm.DB, id uint) (*Upload, error) {
	var u Upload
	err := db.Take(&u, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: find upload %d: %w", id, err)
	}
	return &u, nil
}

func findUploadByHash(db *gorm.DB, hash string) (*Upload, error) {
	var u Upload
	err := db.Where("hash = ?", hash).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: find upload: %w", err)
	}
	return &u, nil
}

// FileName is the original's name under /media: <hash>.<ext>.
func (u *Upload) FileName() string { return u.Hash + "." + uploadExt[u.ContentType] }

// PreviewFileName is the preview's name under /media: <hash>-preview.jpg
// (the original's hash, so the two sit together).
func (u *Upload) PreviewFileName() string { return u.Hash + "-preview.jpg" }

// Image is the upload as message content, served from publicURL/media/.
func (u *Upload) Image(publicURL string) channels.Image {
	base := strings.TrimRight(publicURL, "/") + "/media/"
	return channels.Image{
		URL: base + u.FileName(), PreviewURL: base + u.PreviewFileName(),
		ContentType: u.ContentType, Width: u.Width, Height: u.Height, Bytes: u.Bytes,
	}
}

// MediaFile is a file served under /media.
type MediaFile struct {
	ContentType string
	Data        []byte
}

// ReadMedia returns the file of a /media name (an upload's FileName or
// PreviewFileName), from the cache dir when it is there, else from the
// database (then written to the cache). Unknown names are ErrNotFound.
func ReadMedia(db *gorm.DB, dir, name string) (*MediaFile, error) {
	hash, ct, ok := parseMediaName(name)
	if !ok {
		return nil, ErrNotFound
	}
	if dir != "" {
		if data, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return &MediaFile{ContentType: ct, Data: data}, nil
		}
	}
	u, err := findUploadByHash(db, hash)
	if err != nil {
		return nil, err
	}
	if (strings.Contains(name, "-preview") && name != u.PreviewFileName()) || (!strings.Contains(name, "-preview") && name != u.FileName()) {
		return nil, ErrNotFound
	}
	blobHash := u.Hash
	if name == u.PreviewFileName() {
		blobHash = u.PreviewHash
	}
	var blob UploadBlob
	if err := db.Where("hash = ?", blobHash).Take(&blob).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("models: read media %s: %w", name, err)
	}
	if err := writeMediaFile(dir, name, blob.Data); err != nil {
		return nil, err
	}
	return &MediaFile{ContentType: ct, Data: blob.Data}, nil
}

// parseMediaName reads "<64 hex>.jpg|.png" or "<64 hex>-preview.jpg".
func parseMediaName(name string) (hash, contentType string, ok bool) {
	base, ext, found := strings.Cut(name, ".")
	if !found {
		return "", "", false
	}
	preview := strings.HasSuffix(base, "-preview")
	base = strings.TrimSuffix(base, "-preview")
	if len(base) != 64 || strings.Trim(base, "0123456789abcdef") != "" {
		return "", "", false
	}
	switch {
	case ext == "jpg":
		return base, "image/jpeg", true
	case ext == "png" && !preview:
		return base, "image/png", true
	}
	return "", "", false
}

// cacheUploadFiles writes an upload's two files to dir unless they are there.
func cacheUploadFiles(db *gorm.DB, dir string, u *Upload) error {
	if dir == "" {
		return nil
	}
	for _, name := range []string{u.FileName(), u.PreviewFileName()} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			continue
		}
		if _, err := ReadMedia(db, dir, name); err != nil {
			return err
		}
	}
	return nil
}

// writeMediaFile writes a cache file atomically (temporary file, rename),
// so a reader never sees half of one.
func writeMediaFile(dir, name string, data []byte) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("models: media dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("models: media file: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("models: write media %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("models: write media %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("models: write media %s: %w", name, err)
	}
	return nil
}
