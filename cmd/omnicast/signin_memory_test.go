package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSignInPeakMemoryUnder100ParallelAttempts builds and runs the real
// binary, fires 100 sign-in attempts at once — each from its own loopback
// address, as a botnet would, so that no per-address limit steps in — and
// reads the process's peak resident memory (VmHWM). Each argon2id hash
// takes 19 MiB: unbounded, 80 parallel attempts took the process to 934 MB.
func TestSignInPeakMemoryUnder100ParallelAttempts(t *testing.T) {
	const parallel, limitMB = 100, 200
	bin := buildBinary(t)
	dataDir := t.TempDir()
	add := exec.Command(bin, "user", "add", "--email", "ops@example.com", "--name", "Ops", "--role", "admin", "--password-stdin", "--data-dir", dataDir)
	add.Stdin = strings.NewReader("a long passphrase for ops\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v: %s", err, out)
	}
	srv, base := startServe(t, bin, dataDir)

	cookie, token := csrfPair(t, base)
	codes := make([]int, parallel)
	errs := make([]error, parallel)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], errs[i] = postLoginFrom(base, net.IPv4(127, 0, 1, byte(1+i)), cookie, token)
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for i, code := range codes {
		if errs[i] != nil {
			t.Fatalf("attempt %d: %v", i, errs[i])
		}
		count[code]++
	}
	peak := vmHWM(t, srv.Process.Pid)
	t.Logf("FIGURE peak RSS (VmHWM) after %d parallel sign-ins: %d MB; answers %v", parallel, peak/1024, count)
	if count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != parallel || count[http.StatusUnauthorized] == 0 {
		t.Fatalf("answers %v: want only 401 (checked) and 429 (over capacity), some of them checked", count)
	}
	if peak/1024 >= limitMB {
		t.Fatalf("peak RSS %d MB under %d parallel sign-ins, want < %d MB", peak/1024, parallel, limitMB)
	}
}

// buildBinary builds omnicast as shipped (no race detector) into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "omnicast")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	return bin
}

// startServe runs "omnicast serve" on a free loopback port and returns it
// once it listens; it is stopped (SIGTERM) when the test ends.
func startServe(t *testing.T, bin, dataDir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "omnicast serving" {
				addr <- line.Addr
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case a := <-addr:
		return cmd, "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatal("omnicast serve did not start listening within 60 s")
	}
	return nil, ""
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// csrfPair fetches the sign-in page once for a CSRF cookie and its token.
func csrfPair(t *testing.T, base string) (*http.Cookie, string) {
	t.Helper()
	res, err := http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	m := csrfMeta.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on /login (%d)", res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == "omnicast_csrf" {
			return c, string(m[1])
		}
	}
	t.Fatal("no CSRF cookie from /login")
	return nil, ""
}

// postLoginFrom sends one wrong-password sign-in from a given local address.
func postLoginFrom(base string, from net.IP, cookie *http.Cookie, token string) (int, error) {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: from}, Timeout: 10 * time.Second}
	client := &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			DialContext:       dialer.DialContext,
			DisableKeepAlives: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	form := url.Values{"_csrf": {token}, "email": {"ops@example.com"}, "password": {"not the password " + from.String()}}
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	res, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("from %s: %w", from, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// vmHWM reads a process's peak resident set size in KiB.
func vmHWM(t *testing.T, pid int) int {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
