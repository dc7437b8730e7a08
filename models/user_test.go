package models_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
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
		// Four wrong passwords: each attempt is allowed and stays recorded.
		for i := 0; i < 4; i++ {
			a, until, err := models.BeginLoginAttempt(db, "a@b.co", "1.2.3.4", t0.Add(time.Duration(i)*time.Minute))
			if err != nil || a == nil || !until.IsZero() {
				t.Fatalf("attempt %d: %v %v %v", i+1, a, until, err)
			}
		}
		// The fifth (any case of the address) is allowed too …
		if a, _, _ := models.BeginLoginAttempt(db, "A@B.CO", "1.2.3.4", t0.Add(4*time.Minute)); a == nil {
			t.Fatal("fifth attempt refused")
		}
		// … the sixth is not, and says until when.
		a, until, err := models.BeginLoginAttempt(db, "a@b.co", "1.2.3.4", t0.Add(5*time.Minute))
		if err != nil || a != nil || !until.Equal(t0.Add(models.LoginWindow)) {
			t.Fatalf("sixth attempt: %v, locked until %v (want %v), %v", a, until, t0.Add(models.LoginWindow), err)
		}
		if a, _, _ := models.BeginLoginAttempt(db, "a@b.co", "5.6.7.8", t0.Add(5*time.Minute)); a == nil {
			t.Fatalf("another address is locked too")
		}
		a, until, _ = models.BeginLoginAttempt(db, "a@b.co", "1.2.3.4", t0.Add(models.LoginWindow+time.Second))
		if a == nil {
			t.Fatalf("still locked after the window: %v", until)
		}
		// A success forgets the failures; a cancelled attempt never counted.
		if err := a.Succeeded(db); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < models.LoginMaxFailures+3; i++ {
			a, _, err := models.BeginLoginAttempt(db, "a@b.co", "1.2.3.4", t0.Add(models.LoginWindow+2*time.Second))
			if err != nil || a == nil {
				t.Fatalf("attempt after success %d refused: %v", i, err)
			}
			if err := a.Cancel(db); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestLoginAttemptsAreCheckedAtomically: 40 sign-ins for one account from
// one address at once may not all pass the throttle; before the check and
// the record were one step, every one of them was checked.
func TestLoginAttemptsAreCheckedAtomically(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		const parallel = 40
		var wg sync.WaitGroup
		var allowed, refused atomic.Int32
		start := make(chan struct{})
		errs := make(chan error, parallel)
		for i := 0; i < parallel; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				a, until, err := models.BeginLoginAttempt(db, "mei@example.com", "203.0.113.7", now)
				switch {
				case err != nil:
					errs <- err
				case a != nil:
					allowed.Add(1)
				case !until.IsZero():
					refused.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := allowed.Load(); n != models.LoginMaxFailures {
			t.Fatalf("%d of %d parallel attempts passed the throttle, want %d", n, parallel, models.LoginMaxFailures)
		}
		if allowed.Load()+refused.Load() != parallel {
			t.Fatalf("allowed %d + refused %d != %d", allowed.Load(), refused.Load(), parallel)
		}
	})
}

func TestLoginAttemptSurvivesHostileInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, email := range []string{"a\x00@x", strings.Repeat("長", 400) + "@x", "\xff\xfe@x"} {
			if _, _, err := models.BeginLoginAttempt(db, email, "1.2.3.4", now); err != nil {
				t.Errorf("BeginLoginAttempt(%q): %v", email, err)
			}
			if _, err := models.FindUserByEmail(db, email); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("FindUserByEmail(%q) = %v, want ErrNotFound", email, err)
			}
		}
	})
}

func TestPasswordPolicy(t *testing.T) {
	cases := []struct {
		password, email string
		want            error
	}{
		{"", "mei@example.com", models.ErrPasswordBlank},
		{"            ", "mei@example.com", models.ErrPasswordBlank},
		{"\t \t \t \t \t \t", "mei@example.com", models.ErrPasswordBlank},
		{"123456789", "mei@example.com", models.ErrPasswordTooShort},
		{"mei@example.com", "mei@example.com", models.ErrPasswordIsEmail},
		{" MEI@Example.COM ", "mei@example.com", models.ErrPasswordIsEmail},
		{"1234567890", "mei@example.com", models.ErrPasswordCommon},
		{"qwertyuiop", "mei@example.com", models.ErrPasswordCommon},
		{"Password123", "mei@example.com", models.ErrPasswordCommon},
		{"BASKETBALL", "mei@example.com", models.ErrPasswordCommon},
		{"correct horse battery", "mei@example.com", nil},
		{"一二三四五六七八九十", "mei@example.com", nil},
		{"mei@example.com!", "mei@example.com", nil},
	}
	for _, c := range cases {
		if got := models.ValidatePassword(c.password, c.email); !errors.Is(got, c.want) || (c.want == nil && got != nil) {
			t.Errorf("ValidatePassword(%q, %q) = %v, want %v", c.password, c.email, got, c.want)
		}
	}
	if !models.IsCommonPassword("1qaz2wsx3edc") || models.IsCommonPassword("a phrase nobody has ever used, surely") {
		t.Fatal("IsCommonPassword does not read the embedded list")
	}
}

func TestPasswordPolicyAppliesToEveryWayOfSettingOne(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		_, err := models.CreateUser(db, models.NewUserInput{Email: "mei@example.com", Name: "Mei", Role: models.RoleMarketer, Password: "Mei@Example.com"})
		var fe models.FieldErrors
		if !errors.As(err, &fe) || !errors.Is(fe["password"], models.ErrPasswordIsEmail) {
			t.Fatalf("CreateUser with the email as password: %v", err)
		}
		_, err = models.CreateFirstAdmin(db, models.NewUserInput{Email: "mei@example.com", Name: "Mei", Password: "1234567890"})
		if !errors.As(err, &fe) || !errors.Is(fe["password"], models.ErrPasswordCommon) {
			t.Fatalf("CreateFirstAdmin with a common password: %v", err)
		}
		if _, err := models.CreateUser(db, models.NewUserInput{Email: "mei@example.com", Name: "Mei", Role: models.RoleMarketer, Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
		if err := models.SetUserPassword(db, "mei@example.com", "          "); !errors.Is(err, models.ErrPasswordBlank) {
			t.Fatalf("SetUserPassword blank: %v", err)
		}
		if err := models.SetUserPassword(db, "MEI@example.com", "MEI@EXAMPLE.COM"); !errors.Is(err, models.ErrPasswordIsEmail) {
			t.Fatalf("SetUserPassword email: %v", err)
		}
	})
}

// TestSessionEpochRises: every change that must end a user's sessions
// raises their epoch; other users keep theirs.
func TestSessionEpochRises(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		admin, err := models.CreateUser(db, models.NewUserInput{Email: "admin@example.com", Name: "Admin", Role: models.RoleAdmin, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		mei, err := models.CreateUser(db, models.NewUserInput{Email: "mei@example.com", Name: "Mei", Role: models.RoleMarketer, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		epoch := func(id uint) int64 {
			t.Helper()
			u, err := models.FindUser(db, id)
			if err != nil {
				t.Fatal(err)
			}
			return u.SessionEpoch
		}
		last := epoch(mei.ID)
		steps := []struct {
			name string
			do   func() error
		}{
			{"sign-out", func() error { return models.EndUserSessions(db, mei.ID) }},
			{"password", func() error { return models.SetUserPassword(db, "mei@example.com", "another good passphrase") }},
			{"role", func() error { return models.SetUserRole(db, mei.ID, models.RoleAdmin) }},
			{"deactivation", func() error { return models.SetUserActive(db, mei.ID, false, time.Now()) }},
		}
		for _, st := range steps {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if now := epoch(mei.ID); now <= last {
				t.Fatalf("%s left the session epoch at %d", st.name, now)
			} else {
				last = now
			}
		}
		if epoch(admin.ID) != 0 {
			t.Fatalf("another user's epoch changed: %d", epoch(admin.ID))
		}
		u, _ := models.FindUser(db, mei.ID)
		if !models.CheckPassword(u.PasswordHash, "another good passphrase") || u.Role != models.RoleAdmin || u.Active {
			t.Fatalf("changes not saved: %+v", u)
		}
	})
}

func TestSetupCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		code, err := models.SetupCode(db)
		if err != nil || len(code) != 14 || strings.Count(code, "-") != 2 {
			t.Fatalf("code = %q, %v", code, err)
		}
		if again, _ := models.SetupCode(db); again != code {
			t.Fatalf("code changed: %q then %q", code, again)
		}
		other, _ := models.SetupCode(dbtest.SQLite(t))
		if other == code {
			t.Fatalf("two workspaces got the same code %q", code)
		}
		for given, want := range map[string]bool{
			code:                               true,
			strings.ToLower(code):              true,
			strings.ReplaceAll(code, "-", " "): true,
			strings.ReplaceAll(code, "-", ""):  true,
			"":                                 false,
			code[:13]:                          false,
			code + "0":                         false,
			strings.Repeat("0", 12):            false,
			otherFirstChar(code):               false,
		} {
			if ok, err := models.CheckSetupCode(db, given); err != nil || ok != want {
				t.Errorf("CheckSetupCode(%q) = %v, %v; want %v (code %q)", given, ok, err, want, code)
			}
		}
		if _, err := models.CreateFirstAdmin(db, models.NewUserInput{Email: "mei@example.com", Name: "Mei", Password: "correct horse battery"}); err != nil {
			t.Fatal(err)
		}
		var n int64
		db.Model(&models.Setting{}).Where("key = ?", models.SettingSetupCode).Count(&n)
		if n != 0 {
			t.Fatal("the set-up code outlived the set-up")
		}
	})
}

// otherFirstChar returns code with its first character replaced.
func otherFirstChar(code string) string {
	if code[0] == 'Z' {
		return "Y" + code[1:]
	}
	return "Z" + code[1:]
}
