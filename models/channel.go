package models

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"omnicast/channels"
)

// Channel is one connected account: a Facebook Page, a LINE Official
// Account, a WhatsApp number or an Instagram account.
type Channel struct {
	ID         uint   `gorm:"primaryKey"`
	Kind       string `gorm:"size:16;not null;index"`
	Name       string `gorm:"size:100;not null"`
	ExternalID string `gorm:"size:64;not null"` // Page ID, LINE channel ID, phone number ID, IG account ID
	WABAID     string `gorm:"column:waba_id;size:64;not null;default:''"`
	APIBaseURL string `gorm:"column:api_base_url;size:255;not null;default:''"`
	RateLimit  float64
	// VerifyToken answers Meta's webhook handshake; the admin pastes it into
	// the Meta app, so it is shown, not sealed.
	VerifyToken string `gorm:"size:64;not null;default:''"`
	// Credentials is the sealed JSON of ChannelSecrets.
	Credentials []byte `gorm:"not null"`
	// TokenHint and SecretHint are the last 4 characters, for display.
	TokenHint  string `gorm:"size:8;not null;default:''"`
	SecretHint string `gorm:"size:8;not null;default:''"`
	// TagBroadcastLocked refuses tagged (non-standard) Messenger broadcasts
	// after someone tried to confirm promotional content under a tag; an
	// admin unlocks it after review (tag_lock.go).
	TagBroadcastLocked bool       `gorm:"not null;default:false"`
	TagLockReason      string     `gorm:"size:255;not null;default:''"`
	TagLockText        string     `gorm:"not null;default:''"` // the offending text
	TagLockedAt        *time.Time `gorm:""`
	TagLockedBy        *uint      `gorm:""` // user id; nil when omnicast itself locked
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// ChannelSecrets are the credentials sealed in Channel.Credentials.
type ChannelSecrets struct {
	AccessToken string `json:"token"`  // Page / channel / system-user access token
	Secret      string `json:"secret"` // Meta app secret or LINE channel secret: signs webhooks
}

// MaxRateLimit is the highest send rate a channel may be set to.
const MaxRateLimit = 10000

// DefaultRateLimit is the send rate (messages per second) per kind, from CHANNELS.md.
func DefaultRateLimit(kind string) float64 {
	switch kind {
	case channels.KindMessenger, channels.KindInstagram:
		return 250 // below the 300 calls/s per Page ceiling
	case channels.KindLINE:
		return 1000 // push allows 2,000 req/s; multicast 200 req/s is limited separately
	case channels.KindWhatsApp:
		return 80
	}
	return 10
}

// DefaultAPIBaseURL is the official API host of a kind.
func DefaultAPIBaseURL(kind string) string {
	if kind == channels.KindLINE {
		return "https://api.line.me"
	}
	return "https://graph.facebook.com"
}

// BaseURL is the API base URL in force for the channel.
func (c *Channel) BaseURL() string {
	if c.APIBaseURL != "" {
		return c.APIBaseURL
	}
	return DefaultAPIBaseURL(c.Kind)
}

// IsMeta tells whether the channel uses Meta's webhook scheme.
func (c *Channel) IsMeta() bool { return c.Kind != channels.KindLINE }

// CanBroadcast is false for Instagram, which allows no broadcasts.
func (c *Channel) CanBroadcast() bool { return c.Kind != channels.KindInstagram }

// Validation errors for channels (catalogue ids).
var (
	ErrKindInvalid       = errors.New("error.channel_kind_invalid")
	ErrChannelNameNeeded = errors.New("error.channel_name_required")
	ErrExternalIDNeeded  = errors.New("error.channel_external_id_required")
	ErrWABANeeded        = errors.New("error.channel_waba_required")
	ErrTokenNeeded       = errors.New("error.channel_token_required")
	ErrSecretNeeded      = errors.New("error.channel_secret_required")
	ErrBaseURLInvalid    = errors.New("error.channel_base_url_invalid")
	ErrRateInvalid       = errors.New("error.channel_rate_invalid")
	ErrChannelDuplicate  = errors.New("error.channel_duplicate")
	ErrChannelNameLong   = errors.New("error.channel_name_too_long")
	ErrChannelIDLong     = errors.New("error.channel_id_too_long")
	ErrVerifyTokenLong   = errors.New("error.channel_verify_token_too_long")
	ErrBaseURLLong       = errors.New("error.channel_base_url_too_long")
)

// Length limits of a channel's fields, in characters (their columns' sizes).
const (
	ChannelNameMaxRunes = 100
	ChannelIDMaxRunes   = 64
	VerifyTokenMaxRunes = 64
	APIBaseURLMaxRunes  = 255
)

// ChannelInput is what adding or editing a channel takes. On edit, empty
// Token and Secret keep the stored ones.
type ChannelInput struct {
	Kind        string
	Name        string
	ExternalID  string
	WABAID      string
	Token       string
	Secret      string
	VerifyToken string
	APIBaseURL  string
	RateLimit   float64
}

func isKind(k string) bool {
	for _, kind := range channels.Kinds() {
		if kind == k {
			return true
		}
	}
	return false
}

// validate checks the input; creating requires the secrets.
func (in *ChannelInput) validate(creating bool) FieldErrors {
	errs := FieldErrors{}
	in.Name, in.ExternalID, in.WABAID = strings.TrimSpace(in.Name), strings.TrimSpace(in.ExternalID), strings.TrimSpace(in.WABAID)
	in.Token, in.Secret = strings.TrimSpace(in.Token), strings.TrimSpace(in.Secret)
	in.APIBaseURL = strings.TrimRight(strings.TrimSpace(in.APIBaseURL), "/")
	in.VerifyToken = strings.TrimSpace(in.VerifyToken)
	if in.Kind != channels.KindWhatsApp {
		in.WABAID = "" // only WhatsApp has a business account id
	}
	if !isKind(in.Kind) {
		errs["kind"] = ErrKindInvalid
	}
	tooLong := func(s string, max int) bool { return utf8.RuneCountInString(s) > max }
	switch {
	case in.Name == "":
		errs["name"] = ErrChannelNameNeeded
	case tooLong(in.Name, ChannelNameMaxRunes):
		errs["name"] = ErrChannelNameLong
	}
	switch {
	case in.ExternalID == "":
		errs["external_id"] = ErrExternalIDNeeded
	case tooLong(in.ExternalID, ChannelIDMaxRunes):
		errs["external_id"] = ErrChannelIDLong
	}
	switch {
	case in.Kind == channels.KindWhatsApp && in.WABAID == "":
		errs["waba_id"] = ErrWABANeeded
	case tooLong(in.WABAID, ChannelIDMaxRunes):
		errs["waba_id"] = ErrChannelIDLong
	}
	if tooLong(in.VerifyToken, VerifyTokenMaxRunes) {
		errs["verify_token"] = ErrVerifyTokenLong
	}
	if tooLong(in.APIBaseURL, APIBaseURLMaxRunes) {
		errs["api_base_url"] = ErrBaseURLLong
	}
	if creating && in.Token == "" {
		errs["token"] = ErrTokenNeeded
	}
	if creating && in.Secret == "" {
		errs["secret"] = ErrSecretNeeded
	}
	if in.APIBaseURL != "" && errs["api_base_url"] == nil {
		u, err := url.Parse(in.APIBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs["api_base_url"] = ErrBaseURLInvalid
		}
	}
	if in.RateLimit < 0 || in.RateLimit > MaxRateLimit {
		errs["rate"] = ErrRateInvalid
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func hint(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("•", len(r))
	}
	return string(r[len(r)-4:])
}

// NewVerifyToken makes a random webhook verify token.
func NewVerifyToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("models: random: %v", err))
	}
	return hex.EncodeToString(b)
}

// CreateChannel validates, seals the secrets and stores a new channel.
func CreateChannel(db *gorm.DB, sealer *Sealer, in ChannelInput) (*Channel, error) {
	if errs := in.validate(true); errs != nil {
		return nil, errs
	}
	sealed, err := sealSecrets(sealer, ChannelSecrets{AccessToken: in.Token, Secret: in.Secret})
	if err != nil {
		return nil, err
	}
	ch := &Channel{
		Kind: in.Kind, Name: in.Name, ExternalID: in.ExternalID, WABAID: in.WABAID,
		APIBaseURL: in.APIBaseURL, RateLimit: in.RateLimit, Credentials: sealed,
		TokenHint: hint(in.Token), SecretHint: hint(in.Secret), VerifyToken: strings.TrimSpace(in.VerifyToken),
	}
	if ch.RateLimit == 0 {
		ch.RateLimit = DefaultRateLimit(in.Kind)
	}
	if ch.IsMeta() && ch.VerifyToken == "" {
		ch.VerifyToken = NewVerifyToken()
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Channel{}).Where("kind = ? AND external_id = ?", ch.Kind, ch.ExternalID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return FieldErrors{"external_id": ErrChannelDuplicate}
		}
		return tx.Create(ch).Error
	})
	var fe FieldErrors
	if errors.As(err, &fe) {
		return nil, fe
	}
	if err != nil {
		return nil, fmt.Errorf("models: create channel: %w", err)
	}
	return ch, nil
}

// UpdateChannel changes a channel; empty Token or Secret keep the stored ones.
func UpdateChannel(db *gorm.DB, sealer *Sealer, id uint, in ChannelInput) (*Channel, error) {
	ch, err := FindChannel(db, id)
	if err != nil {
		return nil, err
	}
	in.Kind = ch.Kind // the kind of a connected account never changes
	if errs := in.validate(false); errs != nil {
		return nil, errs
	}
	secrets, err := ch.Secrets(sealer)
	if err != nil {
		return nil, err
	}
	if in.Token != "" {
		secrets.AccessToken = in.Token
		ch.TokenHint = hint(in.Token)
	}
	if in.Secret != "" {
		secrets.Secret = in.Secret
		ch.SecretHint = hint(in.Secret)
	}
	if ch.Credentials, err = sealSecrets(sealer, secrets); err != nil {
		return nil, err
	}
	ch.Name, ch.ExternalID, ch.WABAID, ch.APIBaseURL = in.Name, in.ExternalID, in.WABAID, in.APIBaseURL
	if in.RateLimit > 0 {
		ch.RateLimit = in.RateLimit
	}
	if v := strings.TrimSpace(in.VerifyToken); v != "" && ch.IsMeta() {
		ch.VerifyToken = v
	}
	if err := db.Save(ch).Error; err != nil {
		return nil, fmt.Errorf("models: update channel %d: %w", id, err)
	}
	return ch, nil
}

func sealSecrets(sealer *Sealer, s ChannelSecrets) ([]byte, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("models: encode credentials: %w", err)
	}
	return sealer.Seal(raw)
}

// Secrets decrypts the channel's credentials.
func (c *Channel) Secrets(sealer *Sealer) (ChannelSecrets, error) {
	var s ChannelSecrets
	raw, err := sealer.Open(c.Credentials)
	if err != nil {
		return s, fmt.Errorf("models: channel %d: %w", c.ID, err)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("models: channel %d credentials: %w", c.ID, err)
	}
	return s, nil
}

// FindChannel loads a channel by id.
func FindChannel(db *gorm.DB, id uint) (*Channel, error) {
	var ch Channel
	err := db.First(&ch, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load channel %d: %w", id, err)
	}
	return &ch, nil
}

// ListChannels returns every channel in the order every page shows them:
// by kind as channels.Kinds lists them (Messenger, LINE, WhatsApp,
// Instagram), then by name.
func ListChannels(db *gorm.DB) ([]Channel, error) {
	var list []Channel
	if err := db.Order("name, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("models: list channels: %w", err)
	}
	slices.SortStableFunc(list, func(a, b Channel) int { return cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)) })
	return list, nil
}

// kindRank is a kind's place in channels.Kinds (unknown kinds last).
func kindRank(kind string) int {
	if i := slices.Index(channels.Kinds(), kind); i >= 0 {
		return i
	}
	return len(channels.Kinds())
}

// DeleteChannel removes a channel with its contacts and their tags.
func DeleteChannel(db *gorm.DB, id uint) error {
	return db.Transaction(func(tx *gorm.DB) error {
		sub := tx.Model(&Contact{}).Select("id").Where("channel_id = ?", id)
		if err := tx.Where("contact_id IN (?)", sub).Delete(&ContactTag{}).Error; err != nil {
			return fmt.Errorf("models: delete channel %d tags: %w", id, err)
		}
		for _, m := range []any{&Contact{}, &ContactCount{}, &WebhookEvent{}, &ReceiptEvent{}, &WATemplate{}} {
			if err := tx.Where("channel_id = ?", id).Delete(m).Error; err != nil {
				return fmt.Errorf("models: delete channel %d data: %w", id, err)
			}
		}
		res := tx.Delete(&Channel{}, id)
		if res.Error != nil {
			return fmt.Errorf("models: delete channel %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return nil
	})
}
