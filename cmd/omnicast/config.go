package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
)

// config is the process configuration: each field is an environment
// variable with a flag of the same name (OMNICAST_ADDR ↔ --addr).
type config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	SecretKey   string
	PublicURL   string
	Timezone    string
	// TrustedProxies lists the reverse proxies (CIDRs or addresses,
	// comma-separated) whose X-Forwarded-For names the client.
	TrustedProxies string
	// MetricsToken lets remote Prometheus scrapers read /metrics.
	MetricsToken string
	// MaxLateness is how late a scheduled broadcast may still start
	// after omnicast was down (a Go duration, default 1h).
	MaxLateness string
}

// secretKeyFile holds the generated secret when OMNICAST_SECRET_KEY is unset.
const secretKeyFile = "secret.key"

// defaultDataDir is where serve keeps its data when nothing says otherwise.
const defaultDataDir = "./data"

// bindConfig registers the configuration flags on fs, defaulting each to
// its environment variable.
func bindConfig(fs *flag.FlagSet, getenv func(string) string) *config {
	return bindConfigWithDataDir(fs, getenv, defaultDataDir)
}

// bindConfigWithDataDir is bindConfig for a command that keeps its data
// elsewhere by default (the demo), so that --help shows the real default.
func bindConfigWithDataDir(fs *flag.FlagSet, getenv func(string) string, dataDir string) *config {
	c := &config{}
	def := func(name, fallback string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return fallback
	}
	fs.StringVar(&c.Addr, "addr", def("OMNICAST_ADDR", ":8080"), "listen address (env OMNICAST_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", def("OMNICAST_DATA_DIR", dataDir), "directory for the SQLite database and generated secret (env OMNICAST_DATA_DIR)")
	secretVar(fs, &c.DatabaseURL, "database-url", getenv("OMNICAST_DATABASE_URL"), "postgres:// `URL`; empty uses the embedded SQLite file in the data dir (env OMNICAST_DATABASE_URL; its value is never shown here)")
	secretVar(fs, &c.SecretKey, "secret-key", getenv("OMNICAST_SECRET_KEY"), "`secret` for sessions and credential encryption; generated into the data dir when empty (env OMNICAST_SECRET_KEY; never shown here)")
	fs.StringVar(&c.PublicURL, "public-url", def("OMNICAST_PUBLIC_URL", ""), "https address the platforms reach, for webhooks and images (env OMNICAST_PUBLIC_URL)")
	fs.StringVar(&c.Timezone, "timezone", def("OMNICAST_TIMEZONE", models.DefaultTimezone), "default workspace time zone (env OMNICAST_TIMEZONE)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", def("OMNICAST_TRUSTED_PROXIES", ""), "comma-separated CIDRs or addresses of reverse proxies whose X-Forwarded-For is believed; empty trusts none (env OMNICAST_TRUSTED_PROXIES)")
	fs.StringVar(&c.MaxLateness, "max-lateness", def("OMNICAST_MAX_LATENESS", models.DefaultMaxLateness.String()), "how late a scheduled broadcast may still start after omnicast was down; later ones are marked missed for staff to send or cancel (env OMNICAST_MAX_LATENESS)")
	secretVar(fs, &c.MetricsToken, "metrics-token", getenv("OMNICAST_METRICS_TOKEN"), "bearer `token` with which remote scrapers may read /metrics; loopback clients need none (env OMNICAST_METRICS_TOKEN; never shown here)")
	return c
}

// secretVar registers a string flag whose value --help never prints:
// flag.PrintDefaults shows a flag's default, and these defaults come from
// the environment (a database password, the secret key).
func secretVar(fs *flag.FlagSet, p *string, name, fromEnv, usage string) {
	*p = fromEnv
	fs.Var(secretValue{p}, name, usage)
}

// secretValue is a flag.Value that keeps its value to itself.
type secretValue struct{ p *string }

func (v secretValue) String() string { return "" }

func (v secretValue) Set(s string) error {
	*v.p = s
	return nil
}

// trustedProxies parses TrustedProxies: CIDRs ("10.0.0.0/8") or single
// addresses ("192.0.2.10"), separated by commas or spaces.
func (c *config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(c.TrustedProxies, func(r rune) bool { return r == ',' || r == ' ' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("OMNICAST_TRUSTED_PROXIES: %q is neither a CIDR nor an IP address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// maxLateness parses MaxLateness.
func (c *config) maxLateness() (time.Duration, error) {
	d, err := time.ParseDuration(c.MaxLateness)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("OMNICAST_MAX_LATENESS: %q is not a positive duration such as 1h or 30m", c.MaxLateness)
	}
	return d, nil
}

// openDB opens and migrates the configured database.
func (c *config) openDB() (*gorm.DB, error) {
	db, err := models.Open(models.DBConfig{URL: c.DatabaseURL, DataDir: c.DataDir})
	if err != nil {
		return nil, err
	}
	if err := models.Migrate(db); err != nil {
		_ = models.Close(db)
		return nil, err
	}
	return db, nil
}

// secret returns the configured secret key, or the one in the data dir,
// generating it (mode 0600) on first run.
func (c *config) secret() ([]byte, error) {
	if c.SecretKey != "" {
		if len(c.SecretKey) < 32 {
			return nil, errors.New("OMNICAST_SECRET_KEY must be at least 32 characters")
		}
		return []byte(c.SecretKey), nil
	}
	path := filepath.Join(c.DataDir, secretKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if len(key) < 32 {
			return nil, fmt.Errorf("%s holds a secret shorter than 32 characters", path)
		}
		return []byte(key), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generate secret key: %w", err)
	}
	key := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	return []byte(key), nil
}

// newFlagSet makes a subcommand's flag set that reports errors instead of exiting.
func newFlagSet(env *runEnv, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: omnicast %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// workspace is an open database with the secrets that go with it.
type workspace struct {
	db     *gorm.DB
	secret []byte
	sealer *models.Sealer
}

// openWorkspace loads the secret key, opens and migrates the database, and
// prepares the credentials sealer: what every command touching channels needs.
func (c *config) openWorkspace() (*workspace, error) {
	secret, err := c.secret()
	if err != nil {
		return nil, err
	}
	sealer, err := models.NewSealer(secret)
	if err != nil {
		return nil, err
	}
	db, err := c.openDB()
	if err != nil {
		return nil, err
	}
	return &workspace{db: db, secret: secret, sealer: sealer}, nil
}

// close releases the database.
func (w *workspace) close() { _ = models.Close(w.db) }
