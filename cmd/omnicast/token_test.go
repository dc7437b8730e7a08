package main

import (
	"strings"
	"testing"
	"time"

	"omnicast/models"
)

func TestTokenCreateListRevoke(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCLI(t, dir, "", "token", "create", "--name", "crm"); err == nil || !strings.Contains(err.Error(), "no active admin") {
		t.Fatalf("token without any admin: %v", err)
	}
	for _, u := range []struct{ email, role string }{{"ops@example.com", "admin"}, {"mei@example.com", "marketer"}} {
		if _, _, err := runCLI(t, dir, "a long password\n", "user", "add", "--email", u.email, "--name", "x", "--role", u.role, "--password-stdin"); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, err := runCLI(t, dir, "", "token", "create", "--name", "CRM 同步")
	secret := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(secret, "oc_") || strings.Contains(secret, "\n") || !strings.Contains(errOut, "ops@example.com") {
		t.Fatalf("token create: %q %q %v", out, errOut, err)
	}
	if _, _, err := runCLI(t, dir, "", "token", "create", "--name", "m", "--user", "MEI@example.com"); err != nil {
		t.Fatalf("token for a marketer: %v", err)
	}
	if _, _, err := runCLI(t, dir, "", "token", "create"); err == nil || !strings.Contains(err.Error(), "name") {
		t.Fatalf("token without a name: %v", err)
	}
	if _, _, err := runCLI(t, dir, "", "token", "create", "--name", "x", "--user", "nobody@example.com"); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Fatalf("token for nobody: %v", err)
	}

	// The secret works, and is stored only hashed.
	db, err := models.Open(models.DBConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	tok, u, err := models.AuthenticateToken(db, secret, time.Now())
	if err != nil || u.Email != "ops@example.com" {
		t.Fatalf("authenticate the printed token: %v", err)
	}
	models.Close(db)

	list, _, err := runCLI(t, dir, "", "token", "list")
	if err != nil || !strings.Contains(list, "CRM 同步") || !strings.Contains(list, secret[:11]+"…") || strings.Contains(list, secret) || !strings.Contains(list, "active") {
		t.Fatalf("token list: %q %v", list, err)
	}
	if out, _, err := runCLI(t, dir, "", "token", "revoke", "1"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %q %v", out, err)
	}
	if _, _, err := runCLI(t, dir, "", "token", "revoke", "99"); err == nil || !strings.Contains(err.Error(), "no token 99") {
		t.Fatalf("revoke unknown: %v", err)
	}
	if list, _, _ := runCLI(t, dir, "", "token", "list"); !strings.Contains(list, "revoked") {
		t.Fatalf("list after revoke: %q", list)
	}
	db, _ = models.Open(models.DBConfig{DataDir: dir})
	defer models.Close(db)
	if _, _, err := models.AuthenticateToken(db, secret, time.Now()); err == nil {
		t.Fatalf("revoked token %d still authenticates", tok.ID)
	}
}
