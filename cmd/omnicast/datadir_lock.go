package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// dataDirLockFile is held (flock) by the process serving a SQLite data dir.
const dataDirLockFile = "omnicast.lock"

// dataDirLock is the held lock of a data dir; the kernel drops it when the
// process ends, however it ends (SIGKILL included), so a stale file never
// blocks a restart.
type dataDirLock struct{ f *os.File }

// lockDataDir takes the SQLite data dir's lock for this process (what
// names it: command and pid), or says which process holds it. Two serve
// processes on one SQLite file would both claim and send the same work.
func lockDataDir(dir, what string) (*dataDirLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, dataDirLockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := io.ReadAll(io.LimitReader(f, 512))
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another omnicast process"
			}
			abs, _ := filepath.Abs(dir)
			return nil, fmt.Errorf("data dir %s is in use by %s (lock file %s): stop it first; "+
				"several instances need PostgreSQL (OMNICAST_DATABASE_URL)", abs, who, dataDirLockFile)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	host, _ := os.Hostname()
	note := fmt.Sprintf("omnicast %s, pid %d on %s, since %s\n", what, os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(note), 0)
	}
	return &dataDirLock{f: f}, nil
}

// release drops the lock (it also goes with the process).
func (l *dataDirLock) release() {
	if l == nil {
		return
	}
	_ = l.f.Truncate(0)
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
}
