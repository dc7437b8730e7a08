// Package web is omnicast's HTTP layer: the Echo server, its one route
// table, middleware and one file per resource action.
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"gorm.io/gorm"

	"omnicast/jobs"
	"omnicast/models"
	"omnicast/static"
	"omnicast/views/i18n"
)

// Config is what the server needs from the process.
type Config struct {
	DB *gorm.DB
	// ReadDB, when set, serves the long reads (exact counts) so they do
	// not queue behind SQLite's single connection (models.OpenReadPool).
	// Defaults to DB.
	ReadDB    *gorm.DB
	SecretKey []byte
	// Defaults for workspace settings an admin has not saved yet.
	PublicURL string
	Timezone  string
	Logger    *slog.Logger
	// Now is the clock; tests pass a fixed one. Defaults to time.Now.
	Now     func() time.Time
	Version string
	// Demo, when set, lets the set-up page fill the new workspace with
	// demo data: the runner's demo job connects simulated accounts whose
	// webhooks reach this server and reports progress. Nil hides the option.
	Demo *jobs.DemoJob
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; with none, the TCP peer is the client.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, lets remote scrapers read /metrics with
	// "Authorization: Bearer <token>"; loopback clients need none.
	MetricsToken string
	// MediaDir caches uploaded images on disk (<data dir>/media); their
	// bytes are in the database, so an empty or missing directory is
	// refilled on demand. Empty: no disk cache.
	MediaDir string
	// Jobs runs background work (CSV imports): handlers queue work in the
	// database and wake it, never start goroutines. serve owns and stops
	// it. Nil leaves queued work to another instance's runner.
	Jobs *jobs.Runner
}

// Server holds the router and everything handlers share.
type Server struct {
	db        *gorm.DB
	reads     *gorm.DB // exact counts; db unless a read pool was given
	quotas    quotaCache
	echo      *echo.Echo
	log       *slog.Logger
	now       func() time.Time
	version   string
	sessions  *sessions.CookieStore
	sealer    *models.Sealer
	platforms platforms
	i18n      *i18n.Bundle
	assets    *static.Assets
	metrics   *metrics
	defaults  models.Workspace
	workspace atomic.Pointer[models.Workspace]
	demo      demoProgress
	// timelines caches the report's per-minute pictures.
	timelines timelineCache
	jobs      *jobs.Runner
	mediaDir  string
	// hasUsers turns true once a user exists, so the first-run check stops
	// costing a query per request.
	hasUsers atomic.Bool
	// setupCodeLogged is when the set-up code was last written to the log.
	setupCodeLogged atomic.Int64
	trustedProxies  []netip.Prefix
	metricsToken    string
	// hashes bounds concurrent password hashing; signInLimit and
	// setupCodeLimit count attempts per client address.
	hashes         *hashGate
	signInLimit    *middleware.RateLimiterMemoryStore
	setupCodeLimit *middleware.RateLimiterMemoryStore
	// handler is the router behind response compression.
	handler http.Handler
}

// New builds a server ready to serve.
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil {
		return nil, errors.New("web: no database")
	}
	if len(cfg.SecretKey) < 32 {
		return nil, errors.New("web: secret key must be at least 32 bytes")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timezone == "" {
		cfg.Timezone = models.DefaultTimezone
	}
	bundle, err := i18n.NewBundle()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	assets, err := static.Load()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	store, err := newSessionStore(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	sealer, err := models.NewSealer(cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{
		sealer:    sealer,
		platforms: newPlatforms(),
		db:        cfg.DB,
		reads:     cfg.ReadDB,
		log:       cfg.Logger,
		now:       cfg.Now,
		version:   cfg.Version,
		sessions:  store,
		i18n:      bundle,
		assets:    assets,
		metrics:   newMetrics(),
		demo:      demoProgress{job: cfg.Demo},
		jobs:      cfg.Jobs,
		mediaDir:  cfg.MediaDir,
		defaults:  models.Workspace{Timezone: cfg.Timezone, PublicURL: cfg.PublicURL},

		trustedProxies: cfg.TrustedProxies,
		metricsToken:   cfg.MetricsToken,
		hashes:         newHashGate(hashSlots(), hashWait),
		signInLimit:    newAddressLimiter(signInBurst, signInEvery),
		setupCodeLimit: newAddressLimiter(setupCodeBurst, setupCodeEvery),
	}
	if s.reads == nil {
		s.reads = s.db
	}
	if s.jobs != nil {
		// Sending's own series (messages by outcome, rate-limit waits,
		// breaker trips, queue depth) on the same /metrics.
		s.metrics.registry.MustRegister(s.jobs.Collectors()...)
	}
	if err := s.reloadWorkspace(); err != nil {
		return nil, err
	}
	s.echo = s.newEcho()
	s.routes()
	handler, err := compressed(s.echo)
	if err != nil {
		return nil, err
	}
	s.handler = handler
	if err := s.announceSetupCode(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the HTTP handler serving every route.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.IPExtractor = ipExtractor(s.trustedProxies)
	e.HTTPErrorHandler = s.handleError
	return e
}

// Workspace returns the current workspace settings.
func (s *Server) Workspace() models.Workspace { return *s.workspace.Load() }

// wake tells a background worker that work was queued.
func (s *Server) wake(worker string) {
	if s.jobs != nil {
		s.jobs.Wake(worker)
	}
}

func (s *Server) reloadWorkspace() error {
	w, err := models.LoadWorkspace(s.db, s.defaults)
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	s.workspace.Store(&w)
	return nil
}
