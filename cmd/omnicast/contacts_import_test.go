package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"omnicast/models"
	"omnicast/models/dbtest"
)

// cliDB names a database for CLI runs: env adds OMNICAST_DATABASE_URL for
// PostgreSQL (a schema of its own, dropped at the end); the data dir holds
// the secret key (and the SQLite file).
type cliDB struct {
	dir string
	env map[string]string
}

func eachCLIDatabase(t *testing.T, fn func(t *testing.T, d cliDB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, cliDB{dir: t.TempDir(), env: map[string]string{}}) })
	t.Run("postgres", func(t *testing.T) {
		base := dbtest.RequirePostgresURL(t)
		admin, err := models.OpenPostgres(base)
		if err != nil {
			t.Fatal(err)
		}
		raw := make([]byte, 8)
		_, _ = rand.Read(raw)
		schema := "t_cli_" + hex.EncodeToString(raw)
		if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error
			_ = models.Close(admin)
		})
		u, _ := url.Parse(base)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		fn(t, cliDB{dir: t.TempDir(), env: map[string]string{"OMNICAST_DATABASE_URL": u.String()}})
	})
}

func (d cliDB) run(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &runEnv{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string {
			if k == "OMNICAST_DATA_DIR" {
				return d.dir
			}
			return d.env[k]
		},
	}
	err := dispatch(context.Background(), env, args)
	return out.String(), errOut.String(), err
}

func (d cliDB) addChannel(t *testing.T, name, external string) string {
	t.Helper()
	out, _, err := d.run(t, "", "channel", "add", "--kind", "line", "--name", name, "--external-id", external,
		"--secret", "line-secret-value", "--token", "line-token-value")
	if err != nil {
		t.Fatalf("channel add: %v", err)
	}
	return strings.TrimSpace(out)
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestContactsImportExportCLI(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, d cliDB) {
		ch := d.addChannel(t, "台北門市", "1650000001")
		other := d.addChannel(t, "高雄門市", "1650000002")
		files := t.TempDir()

		// Refused files: nothing is written.
		for _, tc := range []struct{ text, want string }{
			{"", "empty"},
			{"external_id,name\nU1,\xff\xff\n", "neither UTF-8, Big5 nor UTF-16"},
			{"id,name\nU1,陳\n", "no external_id column"},
		} {
			_, _, err := d.run(t, "", "contacts", "import", "--channel", ch, writeFile(t, files, "bad.csv", tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("import %q: %v, want %q", tc.text, err, tc.want)
			}
		}

		text := "\uFEFFexternal_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\n" +
			"U1,陳怡君,0912-345-678,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北\n" +
			"U2,王小明,,false,,,\n" +
			"U3,林,,maybe,,,\n" +
			"U1,again,,,,,\n" +
			"U4,張,,,yesterday,,\n"
		out, _, err := d.run(t, "", "contacts", "import", "--channel", ch, writeFile(t, files, "contacts.csv", text))
		if err == nil || !strings.Contains(err.Error(), "3 rows were skipped") {
			t.Fatalf("import with bad rows: %v", err)
		}
		for _, want := range []string{
			"5 rows read: 2 created, 0 updated, 3 skipped",
			`line 4: subscribed "maybe": subscribed must be true or false`,
			`line 5: external_id "U1": duplicate of line 2`,
			`line 6: subscribed_at "yesterday": not a date and time`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}

		// Stdin works too; existing contacts are updated.
		out, _, err = d.run(t, "external_id,name,tags\nU2,王大明,新客\nU5,黃,\n", "contacts", "import", "--channel", ch, "-")
		if err != nil || !strings.Contains(out, "2 rows read: 1 created, 1 updated, 0 skipped") {
			t.Fatalf("import from stdin: %q %v", out, err)
		}

		// Export: everything by default, to stdout, BOM first.
		all, errOut, err := d.run(t, "", "contacts", "export", "--channel", ch)
		if err != nil || !strings.HasPrefix(all, "\uFEFFexternal_id,name,phone,subscribed,subscribed_at,last_interaction_at,tags\r\n") {
			t.Fatalf("export: %v %q", err, all)
		}
		if !strings.Contains(errOut, "3 contacts exported") || !strings.Contains(all, "U1,陳怡君,+886 912 345 678,true,2026-11-01T09:30:00+08:00,2026-11-20T18:00:00+08:00,VIP;台北\r\n") ||
			!strings.Contains(all, "U2,王大明,,false,") {
			t.Fatalf("export (%s):\n%s", errOut, all)
		}
		// A filter, to a file.
		path := filepath.Join(files, "vip.csv")
		if _, _, err := d.run(t, "", "contacts", "export", "--channel", ch, "--filter", "status=subscribed&tags_any=VIP,新客", "--output", path); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(path)
		if lines := strings.Split(strings.TrimSpace(string(raw)), "\r\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "U1,") {
			t.Fatalf("filtered export: %q", raw)
		}
		if _, _, err := d.run(t, "", "contacts", "export", "--channel", ch, "--filter", "interacted_within=soon"); err == nil ||
			!strings.Contains(err.Error(), "interacted_within: enter a span") {
			t.Fatalf("bad filter: %v", err)
		}
		if _, _, err := d.run(t, "", "contacts", "export", "--channel", "999"); err == nil || !strings.Contains(err.Error(), "no channel 999") {
			t.Fatalf("unknown channel: %v", err)
		}

		// The export imports again, unchanged.
		out, _, err = d.run(t, all, "contacts", "import", "--channel", other, "-")
		if err != nil || !strings.Contains(out, "3 rows read: 3 created") {
			t.Fatalf("re-import: %q %v", out, err)
		}
		again, _, _ := d.run(t, "", "contacts", "export", "--channel", other)
		if sortedLines(again) != sortedLines(all) {
			t.Fatalf("round trip differs:\n%s\n%s", all, again)
		}
	})
}

func sortedLines(s string) string {
	lines := strings.Split(s, "\r\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
