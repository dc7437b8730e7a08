package main

// BenchmarkContactsImportCLI measures the user's path for a big import:
// `omnicast contacts import --channel ID FILE` with FILE holding
// OMNICAST_BENCH_IMPORT_ROWS (default 200000) new contacts, statistics
// refresh included. SQLite always; PostgreSQL when OMNICAST_TEST_DATABASE_URL
// is set. It runs only with -bench, e.g.
//
//	OMNICAST_TEST_DATABASE_URL=postgres://… go test -run '^$' -bench ContactsImportCLI -benchtime 1x ./cmd/omnicast
//
// and prints one FIGURE line per database. OMNICAST_BENCH_IMPORT_BATCH
// passes --batch.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"omnicast/models"
	"omnicast/models/dbtest"
)

func benchImportRows(b *testing.B) int {
	b.Helper()
	n := 200_000
	if s := os.Getenv("OMNICAST_BENCH_IMPORT_ROWS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("OMNICAST_BENCH_IMPORT_ROWS=%q: want a whole number", s)
		}
		n = v
	}
	return n
}

// writeBenchCSV writes n new contacts the way a marketer's file looks:
// Taiwanese mobile numbers, times with offsets, a few tags.
func writeBenchCSV(b *testing.B, path string, n int) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("external_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\n")
	tags := []string{"VIP", "台北", "新客", "回購", "VIP;台北", ""}
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "U%08d,聯絡人 %d,+8869%08d,%v,2026-10-%02dT09:00:00+08:00,2026-11-%02dT12:00:00Z,%s\n",
			i, i, 12000000+i, i%7 != 0, i%28+1, i%24+1, tags[i%len(tags)])
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkContactsImportCLI(b *testing.B) {
	n := benchImportRows(b)
	file := filepath.Join(b.TempDir(), "contacts.csv")
	writeBenchCSV(b, file, n)
	kinds := []string{"sqlite"}
	if os.Getenv(dbtest.PostgresURLEnv) != "" {
		kinds = append(kinds, "postgres")
	}
	for _, kind := range kinds {
		b.Run(kind, func(b *testing.B) {
			for range b.N {
				d := benchCLIDatabase(b, kind)
				ch := d.benchRun(b, "channel", "add", "--kind", "line", "--name", "bench", "--external-id", "1650000001",
					"--secret", "line-secret-value", "--token", "line-token-value")
				cpu0 := processCPU()
				start := time.Now()
				args := []string{"contacts", "import", "--quiet", "--channel", strings.TrimSpace(ch)}
				if batch := os.Getenv("OMNICAST_BENCH_IMPORT_BATCH"); batch != "" {
					args = append(args, "--batch", batch)
				}
				out := d.benchRun(b, append(args, file)...)
				took := time.Since(start)
				cpu := processCPU() - cpu0
				if os.Getenv("OMNICAST_BENCH_VERBOSE") != "" {
					fmt.Print(out)
				}
				if !strings.Contains(out, fmt.Sprintf("%d created", n)) {
					b.Fatalf("import: %s", out)
				}
				rate := float64(n) / took.Seconds()
				b.ReportMetric(rate, "rows/s")
				// The process's CPU time tells a busy machine from slow code:
				// on SQLite all the work is in this process.
				fmt.Printf("FIGURE %-8s cli import of %d new contacts: %v, %.0f rows/s (this process used %v of CPU)\n",
					kind, n, took.Round(time.Millisecond), rate, cpu.Round(time.Millisecond))
			}
		})
	}
}

// benchCLIDatabase is a fresh data dir (SQLite) or schema (PostgreSQL).
func benchCLIDatabase(b *testing.B, kind string) cliDB {
	b.Helper()
	d := cliDB{dir: b.TempDir(), env: map[string]string{}}
	if kind == "sqlite" {
		return d
	}
	base := dbtest.RequirePostgresURL(b)
	admin, err := models.OpenPostgres(base)
	if err != nil {
		b.Fatal(err)
	}
	raw := make([]byte, 8)
	_, _ = rand.Read(raw)
	schema := "t_bench_" + hex.EncodeToString(raw)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = models.Close(admin)
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	d.env["OMNICAST_DATABASE_URL"] = u.String()
	return d
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (d cliDB) benchRun(b *testing.B, args ...string) string {
	b.Helper()
	var out, errOut bytes.Buffer
	env := &runEnv{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		getenv: func(k string) string {
			if k == "OMNICAST_DATA_DIR" {
				return d.dir
			}
			return d.env[k]
		},
	}
	if err := dispatch(context.Background(), env, args); err != nil {
		b.Fatalf("omnicast %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}
