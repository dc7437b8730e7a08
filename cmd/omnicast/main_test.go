package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"omnicast/models"
)

// runCLI runs omnicast with args, stdin and a data dir, returning stdout and stderr.
func runCLI(t *testing.T, dataDir, stdin string, args ...string) (string, string, error) {
	t.Helper()
	return runCLIContext(context.Background(), dataDir, stdin, args...)
}

func runCLIContext(ctx context.Context, dataDir, stdin string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	env := &runEnv{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string {
			if k == "OMNICAST_DATA_DIR" {
				return dataDir
			}
			return ""
		},
	}
	err := dispatch(ctx, env, args)
	return out.String(), errOut.String(), err
}

func TestUserAddAndPasswd(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCLI(t, dir, "a long password\n", "user", "add", "--email", "Ops@Example.com", "--name", "Ops", "--role", "admin", "--password-stdin")
	if err != nil || !strings.Contains(out, "ops@example.com (admin)") {
		t.Fatalf("user add: %q %v", out, err)
	}
	if _, _, err := runCLI(t, dir, "short\n", "user", "add", "--email", "b@example.com", "--name", "B", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "at least 10 characters") {
		t.Fatalf("short password: %v", err)
	}
	if _, _, err := runCLI(t, dir, "", "user", "add", "--email", "b@example.com", "--name", "B"); err == nil {
		t.Fatal("user add without --password-stdin succeeded")
	}
	if _, _, err := runCLI(t, dir, "another long one\n", "user", "passwd", "--email", "ops@example.com", "--password-stdin"); err != nil {
		t.Fatalf("passwd: %v", err)
	}
	db, err := models.Open(models.DBConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	u, err := models.FindUserByEmail(db, "ops@example.com")
	if err != nil || !models.CheckPassword(u.PasswordHash, "another long one") || u.Role != models.RoleAdmin {
		t.Fatalf("user after passwd: %+v %v", u, err)
	}
	if _, _, err := runCLI(t, dir, "another long one\n", "user", "passwd", "--email", "nobody@example.com", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "no such user") {
		t.Fatalf("passwd unknown user: %v", err)
	}
}

func TestMigrateVersionHelp(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCLI(t, dir, "", "migrate")
	if err != nil || !strings.Contains(out, "migrations applied") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	if out2, _, _ := runCLI(t, dir, "", "migrate"); out2 != out {
		t.Fatalf("second migrate differs: %q vs %q", out2, out)
	}
	if out, _, _ := runCLI(t, dir, "", "version"); !strings.HasPrefix(out, "omnicast ") {
		t.Fatalf("version: %q", out)
	}
	_, stderr, err := runCLI(t, dir, "", "serve", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("serve --help: %v", err)
	}
	for _, v := range []string{"OMNICAST_ADDR", "OMNICAST_DATA_DIR", "OMNICAST_DATABASE_URL", "OMNICAST_SECRET_KEY", "OMNICAST_PUBLIC_URL", "OMNICAST_TIMEZONE"} {
		if !strings.Contains(stderr, v) {
			t.Errorf("serve --help does not document %s", v)
		}
	}
	if _, _, err := runCLI(t, dir, "", "bogus"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestSecretKeyGeneratedOnceWithMode0600(t *testing.T) {
	dir := t.TempDir()
	cfg := &config{DataDir: dir}
	k1, err := cfg.secret()
	if err != nil || len(k1) < 32 {
		t.Fatalf("secret: %q %v", k1, err)
	}
	st, err := os.Stat(filepath.Join(dir, secretKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode = %v, %v", st.Mode().Perm(), err)
	}
	k2, _ := cfg.secret()
	if !bytes.Equal(k1, k2) {
		t.Fatal("secret changed between runs")
	}
	if _, err := (&config{SecretKey: "short"}).secret(); err == nil {
		t.Fatal("short OMNICAST_SECRET_KEY accepted")
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	dir := t.TempDir()
	go func() {
		_, _, err := runCLIContext(ctx, dir, "", "serve", "--addr", "127.0.0.1:0")
		done <- err
	}()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
}
