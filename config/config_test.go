package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// env is a fake environment: tests never read or write the process's.
type env map[string]string

func (e env) getenv(name string) string { return e[name] }

// knownVars are every variable FromEnv reads, to check that an error names
// the bad variables and no others.
var knownVars = []string{
	"DATABASE_URL", "DATABASE_DIRECT_URL", "DB_POOLER", "HTTP_ADDR", "APP_ENV", "LOG_LEVEL", "JWT_SECRET", "JWT_TTL", "ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL",
	"BCRYPT_COST", "DB_MAX_OPEN_CONNS", "DB_MAX_IDLE_CONNS", "DB_CONN_MAX_LIFETIME", "DB_CONN_MAX_IDLE_TIME",
	"MIGRATE_ON_START", "CORS_ALLOWED_ORIGINS", "TRUSTED_PROXIES", "SHUTDOWN_TIMEOUT", "DRAIN_DELAY",
	"AUTH_RATE_LIMIT", "AUTH_RATE_WINDOW", "DB_STATEMENT_TIMEOUT", "DB_LOCK_TIMEOUT", "REQUEST_TIMEOUT",
	"EVENT_RETENTION", "PPROF_ADDR", "METRICS_ADDR", "PUBLIC_URL", "WS_MAX_PER_USER", "BOARD_CACHE_MB", "PRESENCE_HEARTBEAT", "PRESENCE_STALE",
	"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME",
}

// secret32 is exactly MinJWTSecretBytes long.
var secret32 = strings.Repeat("k", MinJWTSecretBytes)

// defaults is the Config FromEnv must return for an empty environment.
func defaults() Config {
	return Config{
		DatabaseURL:       DefaultDatabaseURL,
		DatabaseDirectURL: DefaultDatabaseURL,
		DBPooler:          "none",
		HTTPAddr:          ":8080",
		Env:               EnvDevelopment,
		LogLevel:          slog.LevelInfo,
		// JWTSecret: a random key, cleared by comparable.
		AccessTokenTTL:     15 * time.Minute,
		RefreshTokenTTL:    30 * 24 * time.Hour,
		BcryptCost:         12,
		DBMaxOpenConns:     20,
		DBMaxIdleConns:     20,
		DBConnMaxIdleTime:  5 * time.Minute,
		DBConnMaxLifetime:  30 * time.Minute,
		MigrateOnStart:     true,
		DBStatementTimeout: 5 * time.Second,
		DBLockTimeout:      3 * time.Second,
		RequestTimeout:     15 * time.Second,
		AuthRateLimit:      10,
		AuthRateWindow:     time.Minute,
		EventRetention:     7 * 24 * time.Hour,
		ShutdownTimeout:    20 * time.Second,
		WSMaxPerUser:       20,
		BoardCacheMB:       64,
		PresenceHeartbeat:  5 * time.Second,
		PresenceStale:      20 * time.Second,
		OTelServiceName:    "syncboard",
	}
}

func TestFromEnvDefaults(t *testing.T) {
	t.Parallel()
	got, err := FromEnv(env{}.getenv)
	if err != nil {
		t.Fatalf("FromEnv(empty environment) error = %v, want nil", err)
	}
	if len(got.JWTSecret) < MinJWTSecretBytes {
		t.Errorf("FromEnv(empty environment).JWTSecret = %q, want a random key of at least %d bytes", got.JWTSecret, MinJWTSecretBytes)
	}
	if again, _ := FromEnv(env{}.getenv); again.JWTSecret == got.JWTSecret {
		t.Errorf("two loads made the same development key %q; want a random one each time", got.JWTSecret)
	}
	if want := defaults(); !reflect.DeepEqual(comparable(got), want) {
		t.Errorf("FromEnv(empty environment)\n got  %+v\n want %+v", got, want)
	}
	if got.IsProduction() {
		t.Errorf("FromEnv(empty environment).IsProduction() = true, want false")
	}
	// The assertions the brief names, spelled out so a failure reads plainly.
	checks := []struct {
		name      string
		got, want any
	}{
		{"HTTPAddr", got.HTTPAddr, ":8080"},
		{"AccessTokenTTL", got.AccessTokenTTL, 15 * time.Minute},
		{"RefreshTokenTTL", got.RefreshTokenTTL, 30 * 24 * time.Hour},
		{"BcryptCost", got.BcryptCost, 12},
		{"MigrateOnStart", got.MigrateOnStart, true},
		{"Env", got.Env, EnvDevelopment},
		{"JWTSecretGenerated", got.JWTSecretGenerated, true},
		{"DatabaseURL", got.DatabaseURL, DefaultDatabaseURL},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("FromEnv(empty environment).%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestFromEnvValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  env
		want func(*Config)
	}{
		{"blank values mean defaults", env{"HTTP_ADDR": "  ", "ACCESS_TOKEN_TTL": "", "BCRYPT_COST": " "}, func(*Config) {}},
		{"database and address", env{"DATABASE_URL": "postgres://u@db:5432/x", "HTTP_ADDR": "127.0.0.1:9000"}, func(c *Config) {
			c.DatabaseURL = "postgres://u@db:5432/x"
			c.DatabaseDirectURL = "postgres://u@db:5432/x"
			c.HTTPAddr = "127.0.0.1:9000"
		}},
		{"through a pooler", env{"DATABASE_URL": "postgres://u@bouncer:6432/x", "DATABASE_DIRECT_URL": "postgres://u@db:5432/x", "DB_POOLER": "pgbouncer"}, func(c *Config) {
			c.DatabaseURL = "postgres://u@bouncer:6432/x"
			c.DatabaseDirectURL = "postgres://u@db:5432/x"
			c.DBPooler = "pgbouncer"
		}},
		{"values are trimmed", env{"HTTP_ADDR": " :9090 ", "ACCESS_TOKEN_TTL": " 1h ", "BCRYPT_COST": " 10 "}, func(c *Config) {
			c.HTTPAddr = ":9090"
			c.AccessTokenTTL = time.Hour
			c.BcryptCost = 10
		}},
		{"durations", env{"ACCESS_TOKEN_TTL": "5m", "DB_CONN_MAX_LIFETIME": "1h30m", "SHUTDOWN_TIMEOUT": "5s"}, func(c *Config) {
			c.AccessTokenTTL = 5 * time.Minute
			c.DBConnMaxLifetime = 90 * time.Minute
			c.ShutdownTimeout = 5 * time.Second
		}},
		{"presence timings", env{"PRESENCE_HEARTBEAT": "1s", "PRESENCE_STALE": "5s"}, func(c *Config) {
			c.PresenceHeartbeat = time.Second
			c.PresenceStale = 5 * time.Second
		}},
		{"zero lifetime means no limit", env{"DB_CONN_MAX_LIFETIME": "0s"}, func(c *Config) { c.DBConnMaxLifetime = 0 }},
		{"tracing: the OTLP base URL gets /v1/traces", env{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/", "OTEL_SERVICE_NAME": "boards"}, func(c *Config) {
			c.OTLPTracesURL = "http://collector:4318/v1/traces"
			c.OTelServiceName = "boards"
		}},
		{"tracing: the traces URL is used as it is", env{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://b/otlp/traces"}, func(c *Config) {
			c.OTLPTracesURL = "https://b/otlp/traces"
		}},
		{"tracing: OTEL_SDK_DISABLED turns it off", env{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_SDK_DISABLED": "true"}, func(*Config) {}},
		{"lowest bcrypt cost", env{"BCRYPT_COST": "4"}, func(c *Config) { c.BcryptCost = 4 }},
		{"highest bcrypt cost", env{"BCRYPT_COST": "31"}, func(c *Config) { c.BcryptCost = 31 }},
		{"pool sizes", env{"DB_MAX_OPEN_CONNS": "50", "DB_MAX_IDLE_CONNS": "0"}, func(c *Config) {
			c.DBMaxOpenConns = 50
			c.DBMaxIdleConns = 0
		}},
		{"idle conns follow the pool size", env{"DB_MAX_OPEN_CONNS": "50"}, func(c *Config) {
			c.DBMaxOpenConns = 50
			c.DBMaxIdleConns = 50
		}},
		{"idle time", env{"DB_CONN_MAX_IDLE_TIME": "30s"}, func(c *Config) { c.DBConnMaxIdleTime = 30 * time.Second }},
		{"idle conns capped at open conns", env{"DB_MAX_OPEN_CONNS": "3", "DB_MAX_IDLE_CONNS": "8"}, func(c *Config) {
			c.DBMaxOpenConns = 3
			c.DBMaxIdleConns = 3
		}},
		{"migrate off", env{"MIGRATE_ON_START": "false"}, func(c *Config) { c.MigrateOnStart = false }},
		{"migrate off as 0", env{"MIGRATE_ON_START": "0"}, func(c *Config) { c.MigrateOnStart = false }},
		{"migrate on as TRUE", env{"MIGRATE_ON_START": "TRUE"}, func(*Config) {}},
		{"log level debug", env{"LOG_LEVEL": "debug"}, func(c *Config) { c.LogLevel = slog.LevelDebug }},
		{"log level WARN", env{"LOG_LEVEL": "WARN"}, func(c *Config) { c.LogLevel = slog.LevelWarn }},
		{"log level error", env{"LOG_LEVEL": "error"}, func(c *Config) { c.LogLevel = slog.LevelError }},
		{"development keeps a short secret", env{"JWT_SECRET": "short"}, func(c *Config) { c.JWTSecret = "short" }},
		{"explicit development", env{"APP_ENV": "development"}, func(*Config) {}},
		{"public URL", env{"PUBLIC_URL": " https://boards.example.com "}, func(c *Config) { c.PublicURL = "https://boards.example.com" }},
		{"public URL with a path, trailing slash dropped", env{"PUBLIC_URL": "http://example.com:8080/boards/"}, func(c *Config) {
			c.PublicURL = "http://example.com:8080/boards"
		}},
		{"production", env{"APP_ENV": "production", "JWT_SECRET": secret32}, func(c *Config) {
			c.Env = EnvProduction
			c.JWTSecret = secret32
		}},
		{"metrics on loopback", env{"METRICS_ADDR": " 127.0.0.1:9090 "}, func(c *Config) { c.MetricsAddr = "127.0.0.1:9090" }},
		{"metrics on every interface", env{"METRICS_ADDR": ":9090"}, func(c *Config) { c.MetricsAddr = ":9090" }},
		{"metrics on IPv6 loopback", env{"METRICS_ADDR": "[::1]:9090"}, func(c *Config) { c.MetricsAddr = "[::1]:9090" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := defaults()
			tt.want(&want)
			got, err := FromEnv(tt.env.getenv)
			if err != nil {
				t.Fatalf("FromEnv(%v) error = %v, want nil", tt.env, err)
			}
			if !reflect.DeepEqual(comparable(got), want) {
				t.Errorf("FromEnv(%v)\n got  %+v\n want %+v", tt.env, got, want)
			}
		})
	}
}

// namedVars returns the known variables that msg names, sorted.
func namedVars(msg string) []string {
	var out []string
	for _, v := range knownVars {
		if strings.Contains(msg, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func TestFromEnvInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      env
		wantVars []string // exactly the variables the error must name
	}{
		{"ACCESS_TOKEN_TTL not a duration", env{"ACCESS_TOKEN_TTL": "forever"}, []string{"ACCESS_TOKEN_TTL"}},
		{"OTEL_EXPORTER_OTLP_ENDPOINT without a scheme", env{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, []string{"OTEL_EXPORTER_OTLP_ENDPOINT"}},
		{"ACCESS_TOKEN_TTL without unit", env{"ACCESS_TOKEN_TTL": "3600"}, []string{"ACCESS_TOKEN_TTL"}},
		{"ACCESS_TOKEN_TTL negative", env{"ACCESS_TOKEN_TTL": "-1h"}, []string{"ACCESS_TOKEN_TTL"}},
		{"ACCESS_TOKEN_TTL zero", env{"ACCESS_TOKEN_TTL": "0s"}, []string{"ACCESS_TOKEN_TTL"}},
		{"REFRESH_TOKEN_TTL shorter than the access token", env{"ACCESS_TOKEN_TTL": "1h", "REFRESH_TOKEN_TTL": "30m"}, []string{"REFRESH_TOKEN_TTL"}},
		{"the retired JWT_TTL says what replaced it", env{"JWT_TTL": "24h"}, []string{"JWT_TTL"}},
		{"the published secret of earlier releases, even in development", env{"JWT_SECRET": "dev-only-insecure-jwt-secret-change-me"}, []string{"JWT_SECRET"}},
		{"DB_CONN_MAX_LIFETIME not a duration", env{"DB_CONN_MAX_LIFETIME": "half an hour"}, []string{"DB_CONN_MAX_LIFETIME"}},
		{"DB_CONN_MAX_LIFETIME without unit", env{"DB_CONN_MAX_LIFETIME": "30"}, []string{"DB_CONN_MAX_LIFETIME"}},
		{"DB_CONN_MAX_LIFETIME negative", env{"DB_CONN_MAX_LIFETIME": "-5m"}, []string{"DB_CONN_MAX_LIFETIME"}},
		{"PRESENCE_HEARTBEAT zero", env{"PRESENCE_HEARTBEAT": "0s"}, []string{"PRESENCE_HEARTBEAT"}},
		{"PRESENCE_STALE under two heartbeats", env{"PRESENCE_HEARTBEAT": "5s", "PRESENCE_STALE": "9s"}, []string{"PRESENCE_STALE"}},
		{"SHUTDOWN_TIMEOUT not a duration", env{"SHUTDOWN_TIMEOUT": "soon"}, []string{"SHUTDOWN_TIMEOUT"}},
		{"BCRYPT_COST not a number", env{"BCRYPT_COST": "twelve"}, []string{"BCRYPT_COST"}},
		{"BCRYPT_COST not whole", env{"BCRYPT_COST": "12.5"}, []string{"BCRYPT_COST"}},
		{"BCRYPT_COST below range", env{"BCRYPT_COST": "3"}, []string{"BCRYPT_COST"}},
		{"BCRYPT_COST above range", env{"BCRYPT_COST": "32"}, []string{"BCRYPT_COST"}},
		{"BCRYPT_COST negative", env{"BCRYPT_COST": "-12"}, []string{"BCRYPT_COST"}},
		{"DB_MAX_OPEN_CONNS not a number", env{"DB_MAX_OPEN_CONNS": "many"}, []string{"DB_MAX_OPEN_CONNS"}},
		{"DB_MAX_OPEN_CONNS zero", env{"DB_MAX_OPEN_CONNS": "0"}, []string{"DB_MAX_OPEN_CONNS"}},
		{"DB_MAX_IDLE_CONNS negative", env{"DB_MAX_IDLE_CONNS": "-1"}, []string{"DB_MAX_IDLE_CONNS"}},
		{"MIGRATE_ON_START not a bool", env{"MIGRATE_ON_START": "yes"}, []string{"MIGRATE_ON_START"}},
		{"MIGRATE_ON_START misspelt", env{"MIGRATE_ON_START": "ture"}, []string{"MIGRATE_ON_START"}},
		{"LOG_LEVEL unknown", env{"LOG_LEVEL": "verbose"}, []string{"LOG_LEVEL"}},
		{"LOG_LEVEL numeric", env{"LOG_LEVEL": "4"}, []string{"LOG_LEVEL"}},
		{"APP_ENV unknown", env{"APP_ENV": "staging"}, []string{"APP_ENV"}},
		{"APP_ENV abbreviated", env{"APP_ENV": "prod"}, []string{"APP_ENV"}},
		{"APP_ENV wrong case", env{"APP_ENV": "Production", "JWT_SECRET": secret32}, []string{"APP_ENV"}},
		{"PUBLIC_URL without a scheme", env{"PUBLIC_URL": "boards.example.com"}, []string{"PUBLIC_URL"}},
		{"PUBLIC_URL not http", env{"PUBLIC_URL": "ftp://boards.example.com"}, []string{"PUBLIC_URL"}},
		{"PUBLIC_URL with a fragment", env{"PUBLIC_URL": "https://boards.example.com/#/"}, []string{"PUBLIC_URL"}},
		{"PUBLIC_URL with a query", env{"PUBLIC_URL": "https://boards.example.com/?a=b"}, []string{"PUBLIC_URL"}},
		{"METRICS_ADDR without a port", env{"METRICS_ADDR": "127.0.0.1"}, []string{"METRICS_ADDR"}},
		{"METRICS_ADDR a bare port", env{"METRICS_ADDR": "9090"}, []string{"METRICS_ADDR"}},
		{"METRICS_ADDR a URL", env{"METRICS_ADDR": "http://127.0.0.1:9090/metrics"}, []string{"METRICS_ADDR"}},
		{"METRICS_ADDR port out of range", env{"METRICS_ADDR": "127.0.0.1:70000"}, []string{"METRICS_ADDR"}},
		{"METRICS_ADDR port not a number", env{"METRICS_ADDR": "127.0.0.1:prom"}, []string{"METRICS_ADDR"}},
		{"several at once", env{
			"ACCESS_TOKEN_TTL":     "forever",
			"DB_CONN_MAX_LIFETIME": "x",
			"BCRYPT_COST":          "99",
			"DB_MAX_OPEN_CONNS":    "lots",
			"MIGRATE_ON_START":     "maybe",
			"LOG_LEVEL":            "loud",
			"APP_ENV":              "qa",
			"DB_POOLER":            "odyssey",
		}, []string{"DB_POOLER", "APP_ENV", "BCRYPT_COST", "DB_CONN_MAX_LIFETIME", "DB_MAX_OPEN_CONNS", "ACCESS_TOKEN_TTL", "LOG_LEVEL", "MIGRATE_ON_START"}},
		{"bad variables with production secret problem", env{
			"APP_ENV":          "production",
			"BCRYPT_COST":      "1",
			"ACCESS_TOKEN_TTL": "1d",
		}, []string{"BCRYPT_COST", "JWT_SECRET", "ACCESS_TOKEN_TTL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := FromEnv(tt.env.getenv)
			if err == nil {
				t.Fatalf("FromEnv(%v) = %+v, nil; want an error naming %v", tt.env, got, tt.wantVars)
			}
			want := slices.Clone(tt.wantVars)
			sort.Strings(want)
			if named := namedVars(err.Error()); !slices.Equal(named, want) {
				t.Errorf("FromEnv(%v) error = %q\n names %v\n want  %v", tt.env, err, named, want)
			}
			// One line per bad variable, so start-up shows them all.
			if lines := strings.Count(err.Error(), "\n") + 1; lines != len(want) {
				t.Errorf("FromEnv(%v) error = %q has %d lines, want %d (one per variable)", tt.env, err, lines, len(want))
			}
			if !reflect.DeepEqual(got, Config{}) {
				t.Errorf("FromEnv(%v) config = %+v with an error, want the zero Config", tt.env, got)
			}
		})
	}
}

// TestMetricsListener: where /metrics is served, for each environment with
// and without METRICS_ADDR.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env          env
		on, onAPI    bool
		wantSeparate string
	}{
		{env{}, true, true, ""},
		{env{"METRICS_ADDR": "127.0.0.1:9090"}, true, false, "127.0.0.1:9090"},
		{env{"APP_ENV": "production", "JWT_SECRET": secret32}, false, false, ""},
		{env{"APP_ENV": "production", "JWT_SECRET": secret32, "METRICS_ADDR": "10.0.0.5:9090"}, true, false, "10.0.0.5:9090"},
	}
	for _, tt := range tests {
		c, err := FromEnv(tt.env.getenv)
		if err != nil {
			t.Fatalf("FromEnv(%v): %v", tt.env, err)
		}
		if c.MetricsOn() != tt.on || c.MetricsOnAPI() != tt.onAPI || c.MetricsAddr != tt.wantSeparate {
			t.Errorf("FromEnv(%v): MetricsOn %v, MetricsOnAPI %v, MetricsAddr %q; want %v, %v, %q",
				tt.env, c.MetricsOn(), c.MetricsOnAPI(), c.MetricsAddr, tt.on, tt.onAPI, tt.wantSeparate)
		}
	}
}

func TestFromEnvProductionSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secret  string
		wantErr bool
	}{
		{"missing", "", true},
		{"the published default of earlier releases", "dev-only-insecure-jwt-secret-change-me", true},
		{"one byte short", secret32[:MinJWTSecretBytes-1], true},
		{"very short", "abc", true},
		{"exactly 32 bytes", secret32, false},
		{"longer than 32 bytes", secret32 + "more-random-bytes", false},
		{"32 bytes of multi-byte characters", strings.Repeat("é", MinJWTSecretBytes/2), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := env{"APP_ENV": "production", "JWT_SECRET": tt.secret}
			got, err := FromEnv(e.getenv)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("FromEnv(%v) error = %v, want nil", e, err)
				}
				if got.JWTSecret != tt.secret || !got.IsProduction() {
					t.Errorf("FromEnv(%v) = JWTSecret %q, Env %q; want %q, %q", e, got.JWTSecret, got.Env, tt.secret, EnvProduction)
				}
				return
			}
			if err == nil {
				t.Fatalf("FromEnv(%v) = %+v, nil; want an error naming JWT_SECRET", e, got)
			}
			msg := err.Error()
			if !strings.Contains(msg, "JWT_SECRET") || strings.Contains(msg, "\n") {
				t.Errorf("FromEnv(%v) error = %q, want one line naming JWT_SECRET", e, msg)
			}
			if tt.secret != "" && strings.Contains(msg, tt.secret) {
				t.Errorf("FromEnv(%v) error = %q reveals the secret", e, msg)
			}
		})
	}
}

func TestFromEnvLists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  []string
	}{
		{"", nil},
		{"   ", nil},
		{",", nil},
		{" , ,, ", nil},
		{"https://a.example", []string{"https://a.example"}},
		{"https://a.example,https://b.example", []string{"https://a.example", "https://b.example"}},
		{" https://a.example , https://b.example ", []string{"https://a.example", "https://b.example"}},
		{"a,,b,", []string{"a", "b"}},
		{",a, ,b,,c,", []string{"a", "b", "c"}},
		{"10.0.0.0/8, 192.168.1.1", []string{"10.0.0.0/8", "192.168.1.1"}},
	}
	for _, name := range []string{"CORS_ALLOWED_ORIGINS", "TRUSTED_PROXIES"} {
		for _, tt := range tests {
			e := env{name: tt.value}
			got, err := FromEnv(e.getenv)
			if err != nil {
				t.Errorf("FromEnv(%v) error = %v, want nil", e, err)
				continue
			}
			list := got.CORSAllowedOrigins
			other := got.TrustedProxies
			if name == "TRUSTED_PROXIES" {
				list, other = other, list
			}
			if !slices.Equal(list, tt.want) || (tt.want == nil) != (list == nil) {
				t.Errorf("FromEnv(%v).%s = %#v, want %#v", e, name, list, tt.want)
			}
			if other != nil {
				t.Errorf("FromEnv(%v): the other list = %#v, want nil", e, other)
			}
		}
	}
}

func writeDotenv(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoad(t *testing.T) {
	t.Parallel()
	const file = `# a comment
HTTP_ADDR=:9090
ACCESS_TOKEN_TTL=2h
export BCRYPT_COST=10
LOG_LEVEL="debug"
TRUSTED_PROXIES=10.0.0.1, 10.0.0.2
`
	fromFile := func(c *Config) {
		c.HTTPAddr = ":9090"
		c.AccessTokenTTL = 2 * time.Hour
		c.BcryptCost = 10
		c.LogLevel = slog.LevelDebug
		c.TrustedProxies = []string{"10.0.0.1", "10.0.0.2"}
	}
	tests := []struct {
		name    string
		env     env
		content string // written to a .env file; "" means no file
		path    func(t *testing.T, dir string) string
		want    func(*Config)
	}{
		{
			name:    "file fills unset variables",
			env:     env{},
			content: file,
			want:    fromFile,
		},
		{
			name:    "environment wins over the file",
			env:     env{"HTTP_ADDR": ":7070", "LOG_LEVEL": "error"},
			content: file,
			want: func(c *Config) {
				fromFile(c)
				c.HTTPAddr = ":7070"
				c.LogLevel = slog.LevelError
			},
		},
		{
			name:    "environment and file combine",
			env:     env{"APP_ENV": "production"},
			content: "JWT_SECRET=" + secret32 + "\n",
			want: func(c *Config) {
				c.Env = EnvProduction
				c.JWTSecret = secret32
			},
		},
		{
			name: "missing file is fine",
			env:  env{"HTTP_ADDR": ":7070"},
			path: func(_ *testing.T, dir string) string { return filepath.Join(dir, "does-not-exist.env") },
			want: func(c *Config) { c.HTTPAddr = ":7070" },
		},
		{
			name: "empty path skips the file",
			env:  env{},
			path: func(*testing.T, string) string { return "" },
			want: func(*Config) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var path string
			switch {
			case tt.path != nil:
				path = tt.path(t, t.TempDir())
			default:
				path = writeDotenv(t, tt.content)
			}
			want := defaults()
			tt.want(&want)
			got, err := Load(tt.env.getenv, path)
			if err != nil {
				t.Fatalf("Load(%v, file %q) error = %v, want nil", tt.env, tt.content, err)
			}
			if !reflect.DeepEqual(comparable(got), want) {
				t.Errorf("Load(%v, file %q)\n got  %+v\n want %+v", tt.env, tt.content, got, want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		content  string
		env      env
		wantText []string
	}{
		{"bad variable in the file is named", "BCRYPT_COST=lots\n", env{}, []string{"BCRYPT_COST"}},
		{"production default secret from the file", "APP_ENV=production\nJWT_SECRET=short\n", env{}, []string{"JWT_SECRET"}},
		{"environment overrides a bad file value, other bad ones remain", "ACCESS_TOKEN_TTL=nope\nLOG_LEVEL=nope\n", env{"ACCESS_TOKEN_TTL": "1h"}, []string{"LOG_LEVEL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeDotenv(t, tt.content)
			got, err := Load(tt.env.getenv, path)
			if err == nil {
				t.Fatalf("Load(%v, file %q) = %+v, nil; want an error naming %v", tt.env, tt.content, got, tt.wantText)
			}
			if named := namedVars(err.Error()); !slices.Equal(named, tt.wantText) {
				t.Errorf("Load(%v, file %q) error = %q\n names %v\n want  %v", tt.env, tt.content, err, named, tt.wantText)
			}
		})
	}

	t.Run("unreadable file is an error naming it", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir() // a directory cannot be read as a .env file
		got, err := Load(env{}.getenv, dir)
		if err == nil || !strings.Contains(err.Error(), dir) {
			t.Errorf("Load(empty env, directory %q) = %+v, %v; want an error naming the path", dir, got, err)
		}
	})
}

// TestLoadLeavesProcessEnvironment is not parallel: it compares the whole
// process environment before and after, and reads variables by name.
func TestLoadLeavesProcessEnvironment(t *testing.T) {
	const probe = "SYNCBOARD_CONFIG_TEST_PROBE"
	if _, ok := os.LookupEnv(probe); ok {
		t.Fatalf("%s is set in the process environment; unset it to run this test", probe)
	}
	path := writeDotenv(t, "HTTP_ADDR=:9191\nACCESS_TOKEN_TTL=3h\nAPP_ENV=development\n"+probe+"=from-file\n")
	watched := []string{"HTTP_ADDR", "ACCESS_TOKEN_TTL", "APP_ENV", probe}
	before := map[string]string{}
	for _, name := range watched {
		before[name] = os.Getenv(name)
	}
	environBefore := os.Environ()

	got, err := Load(env{}.getenv, path)
	if err != nil {
		t.Fatalf("Load(empty env, %s) error = %v, want nil", path, err)
	}
	if got.HTTPAddr != ":9191" || got.AccessTokenTTL != 3*time.Hour {
		t.Errorf("Load(empty env, %s) = HTTPAddr %q, AccessTokenTTL %s; want :9191, 3h", path, got.HTTPAddr, got.AccessTokenTTL)
	}
	for _, name := range watched {
		if after := os.Getenv(name); after != before[name] {
			t.Errorf("after Load, os.Getenv(%q) = %q, want %q (unchanged)", name, after, before[name])
		}
	}
	if _, ok := os.LookupEnv(probe); ok {
		t.Errorf("after Load, %s is set in the process environment, want unset", probe)
	}
	if environAfter := os.Environ(); !slices.Equal(environBefore, environAfter) {
		t.Errorf("after Load, os.Environ() changed:\n got  %q\n want %q", environAfter, environBefore)
	}
}

// comparable clears a random development key (and its flag), so whole
// Configs compare.
func comparable(c Config) Config {
	if c.JWTSecretGenerated {
		c.JWTSecret, c.JWTSecretGenerated = "", false
	}
	return c
}
