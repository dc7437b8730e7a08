package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func itoa(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func TestAdminManagesUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db)
		admin := app.addUser("admin@example.com", models.RoleAdmin)
		b := app.browser()
		b.signIn("admin@example.com")
		b.get("/users")

		// Invalid input comes back with the values kept and errors shown.
		p := b.post("/users", url.Values{"name": {"Wang"}, "email": {"not-an-email"}, "role": {"marketer"}, "password": {"short"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		if v, _ := p.doc.Find("#add-user #name").Attr("value"); v != "Wang" {
			t.Errorf("name not kept: %q", v)
		}
		if p.text(`[data-testid="error-email"]`) == "" || p.text(`[data-testid="error-password"]`) == "" {
			t.Errorf("field errors missing")
		}

		p = b.post("/users", url.Values{"name": {"Wang"}, "email": {"wang@example.com"}, "role": {"marketer"}, "password": {testPassword}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("add user = %d: %.300s", p.status, p.body)
		}
		list := b.get("/users")
		if list.doc.Find(`[data-testid="user-row"][data-email="wang@example.com"]`).Length() != 1 {
			t.Fatalf("new user not listed")
		}
		if list.text(`[data-testid="flash"] span`) != "The user was added." {
			t.Errorf("flash = %q", list.text(`[data-testid="flash"] span`))
		}
		dup := b.post("/users", url.Values{"name": {"Wang"}, "email": {"WANG@example.com"}, "role": {"marketer"}, "password": {testPassword}})
		wantStatus(t, dup, http.StatusUnprocessableEntity)

		wang, _ := models.FindUserByEmail(db, "wang@example.com")
		b.post("/users/"+itoa(wang.ID)+"/role", url.Values{"role": {"admin"}})
		if u, _ := models.FindUser(db, wang.ID); u.Role != models.RoleAdmin {
			t.Fatalf("role not changed: %s", u.Role)
		}
		// Admins cannot change their own role or status (no self lock-out).
		wantStatus(t, b.post("/users/"+itoa(admin.ID)+"/active", url.Values{"active": {"false"}}), http.StatusForbidden)
		wantStatus(t, b.post("/users/9999/role", url.Values{"role": {"admin"}}), http.StatusNotFound)
	})
}

func TestLastActiveAdminIsKept(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := mustUser(t, db, "a@example.com", models.RoleAdmin)
		b := mustUser(t, db, "b@example.com", models.RoleAdmin)
		if err := models.SetUserRole(db, a.ID, models.RoleMarketer); err != nil {
			t.Fatalf("demote one of two admins: %v", err)
		}
		if err := models.SetUserRole(db, b.ID, models.RoleMarketer); err != models.ErrLastAdmin {
			t.Fatalf("demote last admin: %v, want ErrLastAdmin", err)
		}
		if err := models.SetUserActive(db, b.ID, false, dbNow()); err != models.ErrLastAdmin {
			t.Fatalf("deactivate last admin: %v, want ErrLastAdmin", err)
		}
	})
}

func mustUser(t *testing.T, db *gorm.DB, email, role string) *models.User {
	t.Helper()
	u, err := models.CreateUser(db, models.NewUserInput{Email: email, Name: strings.Split(email, "@")[0], Role: role, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u
}
