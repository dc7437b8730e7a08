package models

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// Sealer encrypts channel credentials at rest with AES-256-GCM under a key
// derived from the workspace secret.
type Sealer struct {
	aead cipher.AEAD
}

// credentialsAAD binds sealed blobs to their purpose.
const credentialsAAD = "omnicast channel credentials v1"

// NewSealer derives the credentials key from the workspace secret.
func NewSealer(secret []byte) (*Sealer, error) {
	key, err := DeriveKey(secret, "credentials")
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("models: credentials cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("models: credentials cipher: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext; the random nonce is prepended.
func (s *Sealer) Seal(plaintext []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("models: nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, []byte(credentialsAAD)), nil
}

// ErrUnseal means the blob was not sealed with this workspace's secret
// (the secret key changed) or was tampered with.
var ErrUnseal = errors.New("models: cannot decrypt credentials (was OMNICAST_SECRET_KEY changed?)")

// Open decrypts a blob made by Seal.
func (s *Sealer) Open(blob []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(blob) < n {
		return nil, ErrUnseal
	}
	out, err := s.aead.Open(nil, blob[:n], blob[n:], []byte(credentialsAAD))
	if err != nil {
		return nil, ErrUnseal
	}
	return out, nil
}
