package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"omnicast/channels"
	"omnicast/models"
)

// A second serve on the same SQLite data dir refuses to start, naming
// the dir and the process holding it; once that one is gone (even by
// SIGKILL) the data dir serves again.
func TestSecondServeOnOneSQLiteDataDirRefusesToStart(t *testing.T) {
	bin := omnicastBinary(t)
	dir := t.TempDir()
	env := baseEnv()
	first := startProc(t, bin, env, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	first.serving(60 * time.Second)

	second := startProc(t, bin, env, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	if err := second.exited(30 * time.Second); err == nil {
		t.Fatal("the second serve exited cleanly")
	}
	msg := second.log()
	abs, _ := filepath.Abs(dir)
	for _, want := range []string{"data dir " + abs + " is in use", fmt.Sprintf("pid %d", first.cmd.Process.Pid), "omnicast serve", "PostgreSQL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, msg)
		}
	}
	t.Logf("refusal: %s", strings.TrimSpace(msg))

	first.stop(syscall.SIGKILL, 5*time.Second)
	third := startProc(t, bin, env, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	third.serving(60 * time.Second)
}

// An instance whose secret key cannot open the stored channel
// credentials refuses to start, saying so; with the right key it serves.
func TestServeRefusesAKeyThatCannotOpenTheCredentials(t *testing.T) {
	bin := omnicastBinary(t)
	dir := t.TempDir()
	right := strings.Repeat("r", 40)
	db, err := models.Open(models.DBConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db); err != nil {
		t.Fatal(err)
	}
	sealer, _ := models.NewSealer([]byte(right))
	if _, err := models.CreateChannel(db, sealer, models.ChannelInput{Kind: channels.KindLINE, Name: "台北門市 LINE",
		ExternalID: "1650000099", Token: "line-token-1234", Secret: "line-secret-1234"}); err != nil {
		t.Fatal(err)
	}
	_ = models.Close(db)

	wrong := startProc(t, bin, baseEnv("OMNICAST_SECRET_KEY="+strings.Repeat("w", 40)), "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	if err := wrong.exited(30 * time.Second); err == nil {
		t.Fatal("serve with the wrong key exited cleanly")
	}
	msg := wrong.log()
	for _, want := range []string{"cannot open the stored credentials of 1 of 1 channels", `"台北門市 LINE"`, "same key", "OMNICAST_SECRET_KEY"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "line-token") || strings.Contains(msg, right) {
		t.Fatalf("the refusal shows a secret:\n%s", msg)
	}
	t.Logf("refusal: %s", strings.TrimSpace(msg))
	ok := startProc(t, bin, baseEnv("OMNICAST_SECRET_KEY="+right), "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	ok.serving(60 * time.Second)
}
