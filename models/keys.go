package models

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// DeriveKey derives a 32-byte key for one purpose ("session-auth",
// "credentials", …) from the workspace secret, so that one secret never
// serves two purposes directly.
func DeriveKey(secret []byte, purpose string) ([]byte, error) {
	k, err := hkdf.Key(sha256.New, secret, []byte("omnicast"), purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("models: derive %s key: %w", purpose, err)
	}
	return k, nil
}
