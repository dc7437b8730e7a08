package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// The binary the process tests run, built once per test run.
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// omnicastBinary builds omnicast as shipped (no race detector) once.
func omnicastBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		if binDir, binErr = os.MkdirTemp("", "omnicast-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "omnicast")
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// proc is one omnicast process of a test, its stderr kept.
type proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
	addr chan string
	done chan struct{}
	err  error
}

// baseEnv is the environment of a test process: nothing of the test's
// own but PATH and HOME, plus extra ("K=V").
func baseEnv(extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, extra...)
}

// startProc starts bin with args and env; it is killed when the test ends.
func startProc(t testing.TB, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: exec.Command(bin, args...), addr: make(chan string, 1), done: make(chan struct{})}
	p.cmd.Env = env
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.Write(sc.Bytes())
			p.logs.WriteByte('\n')
			p.mu.Unlock()
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "omnicast serving" {
				select {
				case p.addr <- line.Addr:
				default:
				}
			}
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(syscall.SIGTERM, 20*time.Second) })
	return p
}

// serving waits until the process listens and returns its base URL.
func (p *proc) serving(within time.Duration) string {
	p.t.Helper()
	select {
	case a := <-p.addr:
		return "http://" + a
	case <-p.done:
		p.t.Fatalf("omnicast exited before serving: %v\n%s", p.err, p.log())
	case <-time.After(within):
		p.t.Fatalf("omnicast did not serve within %s\n%s", within, p.log())
	}
	return ""
}

// exited waits for the process to end by itself and returns its error.
func (p *proc) exited(within time.Duration) error {
	p.t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(within):
		p.t.Fatalf("omnicast still running after %s\n%s", within, p.log())
	}
	return nil
}

// stop sends sig and waits for the end (SIGKILL after within).
func (p *proc) stop(sig syscall.Signal, within time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(within):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// pgSchema makes a fresh migrated PostgreSQL schema and returns the URL
// that reaches it (for a process) and a connection of the test's own;
// dbtest.RequirePostgresURL fails under CI=true when PostgreSQL is missing.
func pgSchema(t testing.TB) (string, *gorm.DB) {
	t.Helper()
	base := dbtest.RequirePostgresURL(t)
	raw := make([]byte, 8)
	_, _ = rand.Read(raw)
	schema := "p_" + hex.EncodeToString(raw)
	admin, err := models.OpenPostgres(base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := models.OpenPostgres(u.String())
	if err != nil {
		t.Fatalf("open schema: %v", err)
	}
	t.Cleanup(func() {
		_ = models.Close(db)
		_ = admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = models.Close(admin)
	})
	if err := models.Migrate(db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return u.String(), db
}

// waitFor polls cond until it holds or within passes.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var _ = context.Background
var _ = strings.Contains
