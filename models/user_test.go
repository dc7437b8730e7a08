package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func TestPasswordHashing(t *testing.T) {
	h, err := models.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not use argon2id with m>=19MiB, t>=2", h)
	}
	if !models.CheckPassword(h, "correct horse battery") {
		t.Fatal("right password rejected")
	}
	for _, wrong := range []string{"correct horse batter", "", "CORRECT HORSE BATTERY"} {
		if models.CheckPassword(h, wrong) {
			t.Fatalf("wrong password %q accepted", wrong)
		}
	}
	if models.CheckPassword("garbage", "x") || models.CheckPassword("$argon2id$v=19$m=1,t=1,p=1$!!$!!", "x") {
		t.Fatal("malformed hash accepted")
	}
}

func TestCreateUserValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		_, err := models.CreateUser(db, models.NewUserInput{Email: "bad", Name: " ", Role: "boss", Password: "123456789"})
		var fe models.FieldErrors
		if !errors.As(err, &fe) {
			t.Fatalf("err = %v, want FieldErrors", err)
		}
		for field, want := range map[string]error{"email": models.ErrEmailInvalid, "name": models.ErrNameRequired, "role": models.ErrRoleInvalid, "password": models.ErrPasswordTooShort} {
			if fe[field] != want {
				t.Errorf("%s: %v, want %v", field, fe[field], want)
			}
		}
		// 10 characters of Chinese are 10 characters, not 30 bytes.
		if _, err := models.CreateUser(db, models.NewUserInput{Email: "A@B.co", Name: "陳", Role: "admin", Password: "一二三四五六七八九十"}); err != nil {
			t.Fatalf("valid user: %v", err)
		}
		u, err := models.FindUserByEmail(db, "a@b.CO")
		if err != nil || u.Email != "a@b.co" {
			t.Fatalf("lookup by normalised email: %+v %v", u, err)
		}
	})
}

func TestLoginThrottleWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 4; i++ {
			if err := models.RecordLoginFailure(db, "a@b.co", "1.2.3.4", t0.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if until, _ := models.LoginLockedUntil(db, "a@b.co", "1.2.3.4", t0.Add(4*time.Minute)); !until.IsZero() {
			t.Fatalf("locked after 4 failures")
		}
		_ = models.RecordLoginFailure(db, "A@B.CO", "1.2.3.4", t0.Add(4*time.Minute))
		until, _ := models.LoginLockedUntil(db, "a@b.co", "1.2.3.4", t0.Add(5*time.Minute))
		if !until.Equal(t0.Add(models.LoginWindow)) {
			t.Fatalf("locked until %v, want %v", until, t0.Add(models.LoginWindow))
		}
		if u, _ := models.LoginLockedUntil(db, "a@b.co", "5.6.7.8", t0.Add(5*time.Minute)); !u.IsZero() {
			t.Fatalf("another address is locked too")
		}
		if u, _ := models.LoginLockedUntil(db, "a@b.co", "1.2.3.4", t0.Add(models.LoginWindow+time.Second)); !u.IsZero() {
			t.Fatalf("still locked after the window: %v", u)
		}
	})
}
