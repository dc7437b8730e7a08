package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
)

// runWithEnv runs omnicast with the given environment only.
func runWithEnv(env map[string]string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	e := &runEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }}
	err := dispatch(context.Background(), e, args)
	return out.String(), errOut.String(), err
}

// commandLines is every "command" or "command subcommand" that runs.
func commandLines() []string {
	var out []string
	for _, c := range commands() {
		if c.subs == nil {
			out = append(out, c.name)
			continue
		}
		for _, s := range c.subs {
			out = append(out, c.name+" "+s.name)
		}
	}
	return out
}

func TestHelpListsEverySubcommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out, _, err := runWithEnv(nil, args...)
		if err != nil {
			t.Fatalf("omnicast %v: %v", args, err)
		}
		for _, line := range []string{"serve", "migrate", "user add", "user passwd", "channel add", "channel list",
			"contacts list", "contacts import", "contacts export", "demo", "sim", "version"} {
			if !strings.Contains(out, "\n  "+line+" ") {
				t.Errorf("omnicast %v does not list %q:\n%s", args, line, out)
			}
		}
		for _, line := range commandLines() {
			if !strings.Contains(out, "\n  "+line+" ") {
				t.Errorf("omnicast %v does not list %q", args, line)
			}
		}
	}
	// A group without its subcommand says which ones exist.
	_, _, err := runWithEnv(nil, "contacts")
	if err == nil || !strings.Contains(err.Error(), "list, import, export") {
		t.Fatalf("omnicast contacts: %v", err)
	}
	if _, _, err := runWithEnv(nil, "user", "bogus"); err == nil || !strings.Contains(err.Error(), "add, passwd") {
		t.Fatalf("omnicast user bogus: %v", err)
	}
}

// TestReadmeListsEverySubcommand: the README's command list matches the
// binary's, one line per subcommand.
func TestReadmeListsEverySubcommand(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, line := range commandLines() {
		if !strings.Contains(readme, "| `omnicast "+line) {
			t.Errorf("README's command table lacks a row for `omnicast %s`", line)
		}
	}
	for _, v := range []string{"OMNICAST_TRUSTED_PROXIES", "OMNICAST_METRICS_TOKEN", "scrape_configs", "setup_code"} {
		if !strings.Contains(readme, v) {
			t.Errorf("README does not document %s", v)
		}
	}
}

// TestServeHelpNeverShowsSecrets: with the secret key, the database URL
// and the metrics token set, --help names the variables but not their
// values, and the values still take effect.
func TestServeHelpNeverShowsSecrets(t *testing.T) {
	env := map[string]string{
		"OMNICAST_SECRET_KEY":    "super-secret-key-0123456789abcdef-XYZ",
		"OMNICAST_DATABASE_URL":  "postgres://omnicast:pa55w0rd-in-url@db.internal:5432/omnicast",
		"OMNICAST_METRICS_TOKEN": "metrics-token-do-not-print",
		"OMNICAST_DATA_DIR":      t.TempDir(),
	}
	for _, cmd := range [][]string{{"serve", "--help"}, {"migrate", "--help"}, {"user", "add", "--help"}, {"demo", "--help"}, {"--addr", ":1", "--help"}} {
		_, stderr, err := runWithEnv(env, cmd...)
		if !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%v: %v", cmd, err)
		}
		for _, name := range []string{"OMNICAST_SECRET_KEY", "OMNICAST_DATABASE_URL", "OMNICAST_METRICS_TOKEN"} {
			if strings.Contains(stderr, env[name]) || strings.Contains(stderr, "pa55w0rd") {
				t.Fatalf("%v prints the value of %s:\n%s", cmd, name, stderr)
			}
			if !strings.Contains(stderr, name) {
				t.Errorf("%v does not document %s", cmd, name)
			}
		}
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg := bindConfig(fs, func(k string) string { return env[k] })
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if cfg.SecretKey != env["OMNICAST_SECRET_KEY"] || cfg.DatabaseURL != env["OMNICAST_DATABASE_URL"] || cfg.MetricsToken != env["OMNICAST_METRICS_TOKEN"] {
		t.Fatalf("environment values lost: %+v", cfg)
	}
	if err := fs.Parse([]string{"--secret-key", "from-the-flag-0123456789abcdef-0123"}); err != nil || cfg.SecretKey != "from-the-flag-0123456789abcdef-0123" {
		t.Fatalf("flag does not override the environment: %q %v", cfg.SecretKey, err)
	}
}

func TestDemoHelpShowsItsRealDefaults(t *testing.T) {
	_, stderr, err := runWithEnv(nil, "demo", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, want := range []string{`(default "./data-demo")`, `(default "127.0.0.1:8099")`, `(default 300)`, `(default ":8080")`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("demo --help lacks %s:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, `(default "./data")`) {
		t.Errorf("demo --help shows serve's data dir")
	}
	// And it is what the demo uses.
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	if cfg := bindConfigWithDataDir(fs, func(string) string { return "" }, demoDataDir); cfg.DataDir != "./data-demo" {
		t.Fatalf("demo data dir = %q", cfg.DataDir)
	}
}

func TestTrustedProxiesSetting(t *testing.T) {
	cfg := &config{TrustedProxies: "10.0.0.0/8, 192.0.2.10 2001:db8::/32,::ffff:198.51.100.7"}
	got, err := cfg.trustedProxies()
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.10/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("198.51.100.7/32"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("trusted proxies = %v, want %v", got, want)
	}
	if _, err := (&config{TrustedProxies: "10.0.0.0/8,proxy.internal"}).trustedProxies(); err == nil || !strings.Contains(err.Error(), "proxy.internal") {
		t.Fatalf("a host name was accepted: %v", err)
	}
	if got, err := (&config{}).trustedProxies(); err != nil || len(got) != 0 {
		t.Fatalf("empty setting = %v, %v", got, err)
	}
}
