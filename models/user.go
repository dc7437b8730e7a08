package models

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Roles a user can have.
const (
	RoleAdmin    = "admin"
	RoleMarketer = "marketer"
)

// Length limits of a user's name and email, in characters (their columns' sizes).
const (
	UserNameMaxRunes  = 100
	UserEmailMaxRunes = 254
)

// User is a person who signs in to omnicast.
type User struct {
	ID            uint   `gorm:"primaryKey"`
	Email         string `gorm:"size:254;not null;uniqueIndex"`
	Name          string `gorm:"size:100;not null"`
	PasswordHash  string `gorm:"size:255;not null"`
	Role          string `gorm:"size:16;not null"`
	Locale        string `gorm:"size:16;not null;default:''"`
	Active        bool   `gorm:"not null;default:true"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeactivatedAt *time.Time
	// SessionEpoch is stored in every session cookie at sign-in; raising it
	// (sign-out, password, role or status change) ends every session the
	// user has, including copies of the cookie.
	SessionEpoch int64 `gorm:"not null;default:0"`
}

// IsAdmin tells whether the user may manage channels, users and settings.
func (u *User) IsAdmin() bool { return u.Role == RoleAdmin }

// Validation errors carry a message id that the web layer translates.
var (
	ErrEmailInvalid = errors.New("error.email_invalid")
	ErrEmailTaken   = errors.New("error.email_taken")
	ErrNameRequired = errors.New("error.name_required")
	ErrNameTooLong  = errors.New("error.name_too_long")
	ErrEmailTooLong = errors.New("error.email_too_long")
	ErrRoleInvalid  = errors.New("error.role_invalid")
	ErrLastAdmin    = errors.New("error.last_admin")
	ErrNotFound     = errors.New("error.not_found")
)

// NewUserInput is what creating a user needs.
type NewUserInput struct {
	Email    string
	Name     string
	Role     string
	Password string
}

// FieldErrors maps a form field to the message id of its problem.
type FieldErrors map[string]error

func (f FieldErrors) Error() string {
	parts := make([]string, 0, len(f))
	for k, v := range f {
		parts = append(parts, k+": "+v.Error())
	}
	return "models: invalid input: " + strings.Join(parts, ", ")
}

// NormalizeEmail trims and lower-cases an address for storage and look-up.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks the input and returns FieldErrors (nil when valid).
func (in *NewUserInput) Validate() FieldErrors {
	errs := FieldErrors{}
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		errs["email"] = ErrEmailInvalid
	} else if utf8.RuneCountInString(in.Email) > UserEmailMaxRunes {
		errs["email"] = ErrEmailTooLong
	}
	if in.Name == "" {
		errs["name"] = ErrNameRequired
	} else if utf8.RuneCountInString(in.Name) > UserNameMaxRunes {
		errs["name"] = ErrNameTooLong
	}
	if err := ValidatePassword(in.Password, in.Email); err != nil {
		errs["password"] = err
	}
	if in.Role != RoleAdmin && in.Role != RoleMarketer {
		errs["role"] = ErrRoleInvalid
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// CreateUser validates and stores a new active user.
func CreateUser(db *gorm.DB, in NewUserInput) (*User, error) {
	if errs := in.Validate(); errs != nil {
		return nil, errs
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: in.Email, Name: in.Name, Role: in.Role, PasswordHash: hash, Active: true}
	err = db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&User{}).Where("email = ?", in.Email).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return FieldErrors{"email": ErrEmailTaken}
		}
		return tx.Create(u).Error
	})
	if err != nil {
		var fe FieldErrors
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, fmt.Errorf("models: create user %q: %w", in.Email, err)
	}
	return u, nil
}

// CreateFirstAdmin creates the first admin, but only while no user exists,
// so two racing set-up forms cannot both succeed.
func CreateFirstAdmin(db *gorm.DB, in NewUserInput) (*User, error) {
	in.Role = RoleAdmin
	if errs := in.Validate(); errs != nil {
		return nil, errs
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: in.Email, Name: in.Name, Role: RoleAdmin, PasswordHash: hash, Active: true}
	err = db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrSetupDone
		}
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		// The set-up code has done its job: nobody may use it again.
		return tx.Where("key = ?", SettingSetupCode).Delete(&Setting{}).Error
	})
	if errors.Is(err, ErrSetupDone) {
		return nil, ErrSetupDone
	}
	if err != nil {
		return nil, fmt.Errorf("models: create first admin: %w", err)
	}
	return u, nil
}

// ErrSetupDone is returned when first-run set-up is attempted again.
var ErrSetupDone = errors.New("error.setup_done")

// CountUsers counts every user, active or not.
func CountUsers(db *gorm.DB) (int64, error) {
	var n int64
	if err := db.Model(&User{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count users: %w", err)
	}
	return n, nil
}

// FindUser loads a user by id.
func FindUser(db *gorm.DB, id uint) (*User, error) {
	var u User
	err := db.First(&u, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load user %d: %w", id, err)
	}
	return &u, nil
}

// FindUserByEmail loads a user by address (case-insensitive). The address
// may be anything a visitor typed: it is cleaned before it reaches the
// database, which would refuse NUL bytes or invalid UTF-8.
func FindUserByEmail(db *gorm.DB, email string) (*User, error) {
	var u User
	err := db.Where("email = ?", CleanText(NormalizeEmail(email), 254)).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load user by email: %w", err)
	}
	return &u, nil
}

// ListUsers returns every user, admins first, then by name.
func ListUsers(db *gorm.DB) ([]User, error) {
	var users []User
	if err := db.Order("active DESC, role ASC, name ASC, id ASC").Find(&users).Error; err != nil {
		return nil, fmt.Errorf("models: list users: %w", err)
	}
	return users, nil
}

// SetUserPassword replaces a user's password and ends all their sessions.
func SetUserPassword(db *gorm.DB, email, password string) error {
	u, err := FindUserByEmail(db, email)
	if err != nil {
		return err
	}
	if err := ValidatePassword(password, u.Email); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	err = db.Model(u).Updates(map[string]any{"password_hash": hash, "session_epoch": gorm.Expr("session_epoch + 1")}).Error
	if err != nil {
		return fmt.Errorf("models: set password of user %d: %w", u.ID, err)
	}
	return nil
}

// SetUserLocale saves the user's language choice.
func SetUserLocale(db *gorm.DB, id uint, locale string) error {
	if err := db.Model(&User{}).Where("id = ?", id).Update("locale", locale).Error; err != nil {
		return fmt.Errorf("models: set locale of user %d: %w", id, err)
	}
	return nil
}

// SetUserRole changes a user's role, refusing to demote the last active
// admin. A changed role ends the user's sessions, so that every device
// signs in again under the new role.
func SetUserRole(db *gorm.DB, id uint, role string) error {
	if role != RoleAdmin && role != RoleMarketer {
		return ErrRoleInvalid
	}
	return db.Transaction(func(tx *gorm.DB) error {
		u, err := FindUser(tx, id)
		if err != nil {
			return err
		}
		if u.Role == RoleAdmin && role != RoleAdmin && u.Active {
			if err := ensureAnotherActiveAdmin(tx, id); err != nil {
				return err
			}
		}
		if u.Role == role {
			return nil
		}
		err = tx.Model(u).Updates(map[string]any{"role": role, "session_epoch": gorm.Expr("session_epoch + 1")}).Error
		if err != nil {
			return fmt.Errorf("models: set role of user %d: %w", id, err)
		}
		return nil
	})
}

// SetUserActive deactivates or reactivates a user. Either way the user's
// sessions end at once: every request reloads the user and compares the
// session epoch.
func SetUserActive(db *gorm.DB, id uint, active bool, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		u, err := FindUser(tx, id)
		if err != nil {
			return err
		}
		updates := map[string]any{"active": active, "deactivated_at": nil, "session_epoch": gorm.Expr("session_epoch + 1")}
		if !active {
			if u.Role == RoleAdmin && u.Active {
				if err := ensureAnotherActiveAdmin(tx, id); err != nil {
					return err
				}
			}
			updates["deactivated_at"] = now.UTC()
		}
		if err := tx.Model(u).Updates(updates).Error; err != nil {
			return fmt.Errorf("models: set active=%v on user %d: %w", active, id, err)
		}
		return nil
	})
}

// EndUserSessions ends every session of a user, on every device: the
// epoch their cookies carry no longer matches.
func EndUserSessions(db *gorm.DB, id uint) error {
	err := db.Model(&User{}).Where("id = ?", id).Update("session_epoch", gorm.Expr("session_epoch + 1")).Error
	if err != nil {
		return fmt.Errorf("models: end sessions of user %d: %w", id, err)
	}
	return nil
}

func ensureAnotherActiveAdmin(tx *gorm.DB, exceptID uint) error {
	var n int64
	err := tx.Model(&User{}).Where("role = ? AND active = ? AND id <> ?", RoleAdmin, true, exceptID).Count(&n).Error
	if err != nil {
		return fmt.Errorf("models: count admins: %w", err)
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}
