// Package config loads SyncBoard's configuration from the environment.
//
// Configuration lives in the environment (twelve-factor): the code is the same
// in development and production and only variables change. A .env file, when
// present, fills in variables the environment does not already set.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
)

// Environments SyncBoard knows.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// publicJWTSecret was the development default of earlier releases. It is
// public (it is in this file's history), so no environment accepts it.
const publicJWTSecret = "dev-only-insecure-jwt-secret-change-me"

// MinJWTSecretBytes is the shortest secret production accepts: HS256 wants a
// key at least as long as its 256-bit output.
const MinJWTSecretBytes = 32

// DefaultDatabaseURL points at a local PostgreSQL with trust authentication.
// search_path=public binds the connection to the schema the migrations
// create, as atlas.hcl does, so the CLI and the server agree on where
// atlas_schema_revisions lives.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/syncboard?sslmode=disable&search_path=public"

// Config is SyncBoard's whole configuration.
type Config struct {
	DatabaseURL string
	// DatabaseDirectURL reaches PostgreSQL itself, never through a
	// transaction pooler, for what needs a session of its own: the
	// realtime hub's LISTEN, the migrations' advisory lock, creating the
	// database. Default: DatabaseURL.
	DatabaseDirectURL string
	// DBPooler says what DatabaseURL goes through: "none" (PostgreSQL
	// itself, the default) or "pgbouncer" (a pooler in transaction mode:
	// no prepared statements, timeouts set per transaction).
	DBPooler  string
	HTTPAddr  string
	Env       string
	LogLevel  slog.Level
	JWTSecret string
	// JWTSecretGenerated is true when JWT_SECRET was unset in development
	// and a random key was made for this process: tokens do not survive a
	// restart, and the server says so in its log.
	JWTSecretGenerated bool
	// AccessTokenTTL is the lifetime of access tokens; RefreshTokenTTL of
	// refresh tokens, extended on each use.
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	BcryptCost      int
	DBMaxOpenConns  int
	// DBMaxIdleConns defaults to DBMaxOpenConns: a pool that may keep fewer
	// idle connections than it opens closes one each time a request hands
	// its connection back above that line and opens a new one for the next
	// request, hundreds of new PostgreSQL sessions a second under load.
	// DBConnMaxIdleTime shrinks a quiet pool instead.
	DBMaxIdleConns    int
	DBConnMaxLifetime time.Duration
	DBConnMaxIdleTime time.Duration
	// BoardCacheMB bounds the cache of encoded boards (0: no cache).
	BoardCacheMB int
	// DBStatementTimeout and DBLockTimeout bound every statement of the
	// server's pool (not migrations): a stuck query or a lock queue fails
	// fast instead of holding a connection.
	DBStatementTimeout time.Duration
	DBLockTimeout      time.Duration
	// RequestTimeout bounds each request's work, including waiting for a
	// pooled connection; past it the request answers 503.
	RequestTimeout     time.Duration
	MigrateOnStart     bool
	CORSAllowedOrigins []string
	TrustedProxies     []string
	// AuthRateLimit attempts at login and register are allowed per client
	// IP and per email in each AuthRateWindow.
	AuthRateLimit  int
	AuthRateWindow time.Duration
	// EventRetention is how long room events are kept for clients that
	// catch up; older ones are pruned and asking for them is 410.
	EventRetention time.Duration
	// PprofAddr, when set, serves net/http/pprof there (a loopback address,
	// for profiling; off by default).
	PprofAddr string
	// MetricsAddr, when set, serves Prometheus metrics at /metrics on a
	// listener of its own, and only there. Unset, /metrics is served on
	// HTTP_ADDR in development and not at all in production (see
	// MetricsOnAPI).
	MetricsAddr string
	// ShutdownTimeout bounds how long in-flight requests may run after
	// SIGINT/SIGTERM before the server stops waiting for them.
	ShutdownTimeout time.Duration
	// DrainDelay is how long the server keeps serving after SIGTERM with
	// /readyz answering 503, before it stops accepting: behind a load
	// balancer, at least the time its health checks take to mark the
	// instance down, so no request is sent to a closed port.
	DrainDelay time.Duration
	// PublicURL is where people reach the web client (scheme, host, an
	// optional path prefix, no trailing slash): invitation links point
	// there. Empty: each link is built from the request that makes it.
	PublicURL string
	// WSMaxPerUser is how many WebSockets (room sockets and the user
	// stream together) one user may hold open on one instance: a runaway
	// client's reconnect loop must not hold the instance's connections.
	WSMaxPerUser int
	// PresenceHeartbeat is how often an instance records that it is alive
	// and sweeps dead instances' presence; PresenceStale is how old a
	// heartbeat may be before its instance counts as dead. A killed
	// instance's users drop out of presence within their sum.
	PresenceHeartbeat time.Duration
	PresenceStale     time.Duration
	// OTLPTracesURL is where spans go (OTLP over HTTP):
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, else
	// OTEL_EXPORTER_OTLP_ENDPOINT with /v1/traces appended, as the OTLP
	// specification says. Empty (the default, or OTEL_SDK_DISABLED=true):
	// tracing is off.
	OTLPTracesURL string
	// OTelServiceName names this service in traces (OTEL_SERVICE_NAME).
	OTelServiceName string
}

// IsProduction reports whether the server runs in production mode.
func (c Config) IsProduction() bool { return c.Env == EnvProduction }

// MetricsOn reports whether the server measures itself for Prometheus:
// with METRICS_ADDR set, or in development.
func (c Config) MetricsOn() bool { return c.MetricsAddr != "" || !c.IsProduction() }

// MetricsOnAPI reports whether /metrics is served on the API's own
// listener: in development without METRICS_ADDR only. Production serves
// metrics only on METRICS_ADDR, a private address: the public listener sits
// behind a load balancer, where a scrape would reach a random instance, and
// the series (traffic, sockets, the bcrypt queue) are nobody else's
// business.
func (c Config) MetricsOnAPI() bool { return c.MetricsAddr == "" && !c.IsProduction() }

// Load reads the configuration from getenv, falling back to the variables of
// the optional file dotenvPath (variables set in the environment win). The
// process environment itself is never modified. An empty dotenvPath skips
// the file.
func Load(getenv func(string) string, dotenvPath string) (Config, error) {
	if dotenvPath == "" {
		return FromEnv(getenv)
	}
	file, err := godotenv.Read(dotenvPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf("config: read %s: %w", dotenvPath, err)
	}
	return FromEnv(func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return file[name]
	})
}

// FromEnv builds a Config from getenv, applying development defaults, and
// validates it. Every problem is reported with the variable's name.
func FromEnv(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{
		DatabaseURL:        p.str("DATABASE_URL", DefaultDatabaseURL),
		DBPooler:           p.str("DB_POOLER", "none"),
		HTTPAddr:           p.str("HTTP_ADDR", ":8080"),
		Env:                p.str("APP_ENV", EnvDevelopment),
		LogLevel:           p.level("LOG_LEVEL", slog.LevelInfo),
		JWTSecret:          getenv("JWT_SECRET"),
		AccessTokenTTL:     p.duration("ACCESS_TOKEN_TTL", 15*time.Minute),
		RefreshTokenTTL:    p.duration("REFRESH_TOKEN_TTL", 30*24*time.Hour),
		BcryptCost:         p.integer("BCRYPT_COST", 12, 4, 31),
		DBMaxOpenConns:     p.integer("DB_MAX_OPEN_CONNS", 20, 1, 10000),
		DBConnMaxLifetime:  p.duration("DB_CONN_MAX_LIFETIME", 30*time.Minute),
		DBConnMaxIdleTime:  p.duration("DB_CONN_MAX_IDLE_TIME", 5*time.Minute),
		DBStatementTimeout: p.duration("DB_STATEMENT_TIMEOUT", 5*time.Second),
		DBLockTimeout:      p.duration("DB_LOCK_TIMEOUT", 3*time.Second),
		RequestTimeout:     p.duration("REQUEST_TIMEOUT", 15*time.Second),
		MigrateOnStart:     p.boolean("MIGRATE_ON_START", true),
		CORSAllowedOrigins: p.list("CORS_ALLOWED_ORIGINS"),
		TrustedProxies:     p.list("TRUSTED_PROXIES"),
		AuthRateLimit:      p.integer("AUTH_RATE_LIMIT", 10, 1, 1_000_000),
		AuthRateWindow:     p.duration("AUTH_RATE_WINDOW", time.Minute),
		ShutdownTimeout:    p.duration("SHUTDOWN_TIMEOUT", 20*time.Second),
		DrainDelay:         p.duration("DRAIN_DELAY", 0),
		PprofAddr:          strings.TrimSpace(getenv("PPROF_ADDR")),
		MetricsAddr:        p.addr("METRICS_ADDR"),
		EventRetention:     p.duration("EVENT_RETENTION", 7*24*time.Hour),
		PublicURL:          p.publicURL("PUBLIC_URL"),
		WSMaxPerUser:       p.integer("WS_MAX_PER_USER", 20, 1, 100_000),
		BoardCacheMB:       p.integer("BOARD_CACHE_MB", 64, 0, 1_000_000),
		PresenceHeartbeat:  p.duration("PRESENCE_HEARTBEAT", 5*time.Second),
		PresenceStale:      p.duration("PRESENCE_STALE", 20*time.Second),
		OTLPTracesURL:      p.otlpTracesURL(),
		OTelServiceName:    p.str("OTEL_SERVICE_NAME", "syncboard"),
	}
	c.DatabaseDirectURL = p.str("DATABASE_DIRECT_URL", c.DatabaseURL)
	if c.DBPooler != "none" && c.DBPooler != "pgbouncer" {
		p.fail("DB_POOLER", "must be %q or %q, got %q", "none", "pgbouncer", c.DBPooler)
	}
	if c.PresenceHeartbeat <= 0 {
		p.fail("PRESENCE_HEARTBEAT", "must be positive, got %s", c.PresenceHeartbeat)
	}
	// Two heartbeats at least: one late beat (a slow database, a GC pause)
	// must not make a live instance's users vanish.
	if c.PresenceStale < 2*c.PresenceHeartbeat {
		p.fail("PRESENCE_STALE", "must be at least two heartbeats (2 × %s), got %s", c.PresenceHeartbeat, c.PresenceStale)
	}
	if c.EventRetention <= 0 {
		p.fail("EVENT_RETENTION", "must be positive, got %s", c.EventRetention)
	}
	if c.AuthRateWindow <= 0 {
		p.fail("AUTH_RATE_WINDOW", "must be positive, got %s", c.AuthRateWindow)
	}
	if c.Env != EnvDevelopment && c.Env != EnvProduction {
		p.fail("APP_ENV", "must be %q or %q, got %q", EnvDevelopment, EnvProduction, c.Env)
	}
	if getenv("JWT_TTL") != "" {
		p.fail("JWT_TTL", "is retired: access tokens live 15 minutes and refresh tokens 30 days by default (see the README's configuration table)")
	}
	if c.AccessTokenTTL <= 0 {
		p.fail("ACCESS_TOKEN_TTL", "must be positive, got %s", c.AccessTokenTTL)
	}
	if c.RefreshTokenTTL < c.AccessTokenTTL {
		p.fail("REFRESH_TOKEN_TTL", "must not be shorter than the access token lifetime (%s), got %s", c.AccessTokenTTL, c.RefreshTokenTTL)
	}
	c.DBMaxIdleConns = p.integer("DB_MAX_IDLE_CONNS", c.DBMaxOpenConns, 0, 10000)
	if c.DBMaxIdleConns > c.DBMaxOpenConns {
		c.DBMaxIdleConns = c.DBMaxOpenConns
	}
	switch {
	case c.JWTSecret == publicJWTSecret:
		p.fail("JWT_SECRET", "is a published value; set a random secret (openssl rand -base64 48)")
	case c.IsProduction() && c.JWTSecret == "":
		p.fail("JWT_SECRET", "is required in production")
	case c.IsProduction() && len(strings.TrimSpace(c.JWTSecret)) < MinJWTSecretBytes:
		p.fail("JWT_SECRET", "must be at least %d bytes (not counting surrounding spaces) in production, got %d",
			MinJWTSecretBytes, len(strings.TrimSpace(c.JWTSecret)))
	case c.JWTSecret == "":
		// Never a constant: anyone who reads the source could forge tokens.
		key := make([]byte, 48)
		if _, err := rand.Read(key); err != nil {
			p.fail("JWT_SECRET", "is unset and no random key could be made: %v", err)
		}
		c.JWTSecret, c.JWTSecretGenerated = base64.StdEncoding.EncodeToString(key), true
	}
	if len(p.errs) > 0 {
		return Config{}, errors.Join(p.errs...)
	}
	return c, nil
}

// parser reads typed variables and collects every problem, so one start-up
// reports all bad variables at once.
type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) fail(name, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("config: %s %s", name, fmt.Sprintf(format, args...)))
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) integer(name string, def, lo, hi int) int {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail(name, "must be a whole number, got %q", v)
		return def
	}
	if n < lo || n > hi {
		p.fail(name, "must be between %d and %d, got %d", lo, hi, n)
		return def
	}
	return n
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		p.fail(name, "must be a Go duration such as 30s, 15m or 24h, got %q", v)
		return def
	}
	if d < 0 {
		p.fail(name, "must not be negative, got %s", d)
		return def
	}
	return d
}

func (p *parser) boolean(name string, def bool) bool {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, "must be true or false, got %q", v)
		return def
	}
	return b
}

func (p *parser) level(name string, def slog.Level) slog.Level {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.fail(name, "must be debug, info, warn or error, got %q", v)
		return def
	}
	return l
}

// publicURL reads an absolute http(s) URL without query or fragment, and
// drops a trailing slash so that paths can be appended to it.
func (p *parser) publicURL(name string) string {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(v, "?") || strings.HasSuffix(v, "#") {
		p.fail(name, "must be an http or https URL such as https://boards.example.com, without a query or fragment, got %q", v)
		return ""
	}
	return strings.TrimRight(v, "/")
}

// otlpTracesURL reads the standard OTLP endpoint variables: the traces one
// is used as it is, the general one is a base URL under which traces go to
// /v1/traces. Either must be an http or https URL.
func (p *parser) otlpTracesURL() string {
	if disabled := strings.TrimSpace(p.getenv("OTEL_SDK_DISABLED")); strings.EqualFold(disabled, "true") {
		return ""
	}
	name, v, suffix := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", strings.TrimSpace(p.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")), ""
	if v == "" {
		name, v, suffix = "OTEL_EXPORTER_OTLP_ENDPOINT", strings.TrimSpace(p.getenv("OTEL_EXPORTER_OTLP_ENDPOINT")), "/v1/traces"
	}
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail(name, "must be an http or https URL such as http://localhost:4318, got %q", v)
		return ""
	}
	if suffix != "" {
		return strings.TrimRight(v, "/") + suffix
	}
	return v
}

// addr reads an optional listen address, host:port (host may be empty: all
// interfaces).
func (p *parser) addr(name string) string {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return ""
	}
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		p.fail(name, "must be host:port such as 127.0.0.1:9090 or :9090, got %q", v)
		return ""
	}
	return v
}

// list splits a comma-separated variable, dropping empty items.
func (p *parser) list(name string) []string {
	var out []string
	for _, item := range strings.Split(p.getenv(name), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
