package main

import (
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/syncboard/syncboard/config"
	"github.com/syncboard/syncboard/internal/testdb"
)

// TestDockerComposeFile checks the compose file users run (no Docker engine
// runs here, so this is as far as the suite can go): it parses, and it holds
// what the README promises.
func TestDockerComposeFile(t *testing.T) {
	src, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       string            `yaml:"build"`
			Ports       []string          `yaml:"ports"`
			Volumes     []string          `yaml:"volumes"`
			Environment map[string]string `yaml:"environment"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(src, &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	db, api := f.Services["db"], f.Services["api"]
	// Trusted without a password, so published on this machine only.
	if db.Image != "postgres:16" || len(db.Ports) != 1 || db.Ports[0] != "127.0.0.1:5432:5432" {
		t.Errorf("db service = %+v, want postgres:16 on 127.0.0.1:5432", db)
	}
	if len(db.Volumes) != 1 || !strings.HasPrefix(db.Volumes[0], "pgdata:") {
		t.Errorf("db volumes = %v, want the named pgdata volume", db.Volumes)
	}
	if _, ok := f.Volumes["pgdata"]; !ok {
		t.Error("pgdata is not declared as a named volume")
	}
	if !strings.Contains(strings.Join(db.Healthcheck.Test, " "), "pg_isready") {
		t.Errorf("db healthcheck = %v, want pg_isready", db.Healthcheck.Test)
	}
	for _, v := range []string{"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} {
		if !strings.Contains(db.Environment[v], "${"+v) {
			t.Errorf("db %s = %q, want it taken from .env", v, db.Environment[v])
		}
	}
	// make run and make test start this service when nothing answers on
	// 127.0.0.1:5432, and use it with their default URLs: user postgres, no
	// password.
	for _, u := range []string{config.DefaultDatabaseURL, testdb.DefaultURL} {
		if !strings.HasPrefix(u, "postgres://postgres@127.0.0.1:5432/") {
			t.Errorf("default URL %s is not user postgres without a password on 127.0.0.1:5432", u)
		}
	}
	if db.Environment["POSTGRES_USER"] != "${POSTGRES_USER:-postgres}" || db.Environment["POSTGRES_HOST_AUTH_METHOD"] != "${POSTGRES_HOST_AUTH_METHOD:-trust}" {
		t.Errorf("db environment = %v, want user postgres trusted by default", db.Environment)
	}
	if api.Build != "." || api.DependsOn["db"].Condition != "service_healthy" {
		t.Errorf("api service = %+v, want built from . and waiting for a healthy db", api)
	}
	if !strings.Contains(api.Environment["DATABASE_URL"], "@db:5432/") || !strings.Contains(api.Environment["DATABASE_URL"], "search_path=public") {
		t.Errorf("api DATABASE_URL = %q", api.Environment["DATABASE_URL"])
	}
	// Published on this machine only, and in production mode unless .env
	// says otherwise: the server then refuses to start without a real
	// JWT_SECRET (a security review found 8080 and 5432 on every interface
	// and a development server signing with a public key).
	if len(api.Ports) != 1 || !strings.HasPrefix(api.Ports[0], "127.0.0.1:") {
		t.Errorf("api ports = %v, want 127.0.0.1 only", api.Ports)
	}
	if api.Environment["APP_ENV"] != "${APP_ENV:-production}" || api.Environment["JWT_SECRET"] != "${JWT_SECRET:-}" {
		t.Errorf("api environment = %v, want APP_ENV production by default and JWT_SECRET from .env", api.Environment)
	}
	cfg, err := config.FromEnv(func(k string) string { return map[string]string{"APP_ENV": "production"}[k] })
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET") {
		t.Errorf("the compose defaults (production, no JWT_SECRET) start a server (%+v, %v); want a refusal naming JWT_SECRET", cfg, err)
	}
}

func TestDockerfileBuildsAStaticNonRootImage(t *testing.T) {
	src, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{"CGO_ENABLED=0 go build", "AS build", "COPY --from=build", "USER nonroot"} {
		if !strings.Contains(s, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

// TestDeployComposeFile: deploy/docker-compose.yml parses and holds the
// topology README "Running in production" describes: two API instances
// through PgBouncer (DB_POOLER) with a direct URL and a drain delay, and
// HAProxy with deploy/haproxy.cfg, which checks /readyz and retries.
func TestDeployComposeFile(t *testing.T) {
	src, err := os.ReadFile("deploy/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(src, &f); err != nil {
		t.Fatalf("deploy/docker-compose.yml: %v", err)
	}
	for _, name := range []string{"db", "pgbouncer", "api1", "api2", "haproxy"} {
		if _, ok := f.Services[name]; !ok {
			t.Errorf("no %s service", name)
		}
	}
	for _, name := range []string{"api1", "api2"} {
		env := f.Services[name].Environment
		if env["DB_POOLER"] != "pgbouncer" || !strings.Contains(env["DATABASE_URL"], "@pgbouncer:6432/") ||
			!strings.Contains(env["DATABASE_DIRECT_URL"], "@db:5432/") || env["DRAIN_DELAY"] == "" {
			t.Errorf("%s environment = %v; want DATABASE_URL through pgbouncer, DATABASE_DIRECT_URL to db, DB_POOLER and DRAIN_DELAY", name, env)
		}
		if _, err := config.FromEnv(func(k string) string {
			if k == "JWT_SECRET" {
				return strings.Repeat("k", config.MinJWTSecretBytes)
			}
			return env[k]
		}); err != nil {
			t.Errorf("%s's environment is refused: %v", name, err)
		}
	}
	cfg, err := os.ReadFile("deploy/haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"option httpchk GET /readyz", "option redispatch", "retry-on conn-failure", "timeout tunnel"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("deploy/haproxy.cfg lacks %q", want)
		}
	}
}
