package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/internal/testdb"
)

// freePort returns a port on 127.0.0.1 where nothing listens.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

// fakeDocker writes a docker command that logs its arguments and answers
// "compose version" and "compose ... up", and "info" only when engine is set.
func fakeDocker(t *testing.T, engine bool) (cmd, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls")
	info := `echo "Cannot connect to the Docker daemon. Is the docker daemon running?" >&2; exit 1`
	if engine {
		info = "echo 27.0.0; exit 0"
	}
	script := "#!/bin/sh\necho \"$@\" >> " + log + "\n" +
		"case \"$1\" in\n  compose) exit 0 ;;\n  info) " + info + " ;;\nesac\nexit 1\n"
	cmd = filepath.Join(dir, "docker")
	if err := os.WriteFile(cmd, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return cmd, log
}

func calls(t *testing.T, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func checkerFor(docker, port string, env map[string]string) checker {
	return checker{
		getenv: func(k string) string { return env[k] },
		stderr: io.Discard, docker: docker,
		composeFile: "../../docker-compose.yml", composePort: port, wait: time.Second,
	}
}

func TestComposeWouldAnswer(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	ctx := context.Background()
	_, refused := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:"+port+"/postgres?sslmode=disable")
	_, answered := pgx.Connect(ctx, testdb.WithDatabase(testdb.ServerURL(), "dbcheck_no_such_database"))
	c := checkerFor("docker", port, nil)
	tests := []struct {
		name, url string
		err       error
		want      bool
	}{
		{"nothing on the compose port", "postgres://postgres@127.0.0.1:" + port + "/postgres", refused, true},
		{"localhost", "postgres://postgres@localhost:" + port + "/postgres", refused, true},
		{"another port", "postgres://postgres@127.0.0.1:1/postgres", refused, false},
		{"another host", "postgres://postgres@db.example:" + port + "/postgres", refused, false},
		{"a server that answered", "postgres://postgres@127.0.0.1:" + port + "/postgres", answered, false},
	}
	for _, tc := range tests {
		if got := c.composeWouldAnswer(tc.url, tc.err); got != tc.want {
			t.Errorf("%s: composeWouldAnswer(%s, %v) = %v, want %v", tc.name, tc.url, tc.err, got, tc.want)
		}
	}
	if c.composeFile = "no-such-compose.yml"; c.composeWouldAnswer(tests[0].url, refused) {
		t.Error("starts compose without a compose file")
	}
}

// TestServerUpNeedsNoDocker is CI's case: a local PostgreSQL and no Docker.
func TestServerUpNeedsNoDocker(t *testing.T) {
	t.Parallel()
	c := checkerFor(filepath.Join(t.TempDir(), "no-docker"), "5432", map[string]string{
		"TEST_DATABASE_URL": testdb.ServerURL(),
		// The server's database may not exist yet: the server creates it.
		"DATABASE_URL": testdb.WithDatabase(testdb.ServerURL(), "dbcheck_created_by_the_server"),
		"ENV_FILE":     filepath.Join(t.TempDir(), "no.env"),
	})
	for _, args := range [][]string{nil, {"-app"}} {
		if err := c.run(context.Background(), args); err != nil {
			t.Errorf("dbcheck %v: %v", args, err)
		}
	}
}

func TestNoServerNoEngineFailsFast(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	docker, log := fakeDocker(t, false)
	c := checkerFor(docker, port, nil)
	start := time.Now()
	err := c.run(context.Background(), []string{"postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable"})
	if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL") || !strings.Contains(err.Error(), "Cannot connect to the Docker daemon") {
		t.Errorf("error %v, want the unreachable message and Docker's", err)
	}
	if got := calls(t, log); strings.Contains(got, " up ") {
		t.Errorf("ran compose up with no engine; calls:\n%s", got)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestNoServerStartsComposeAndWaits(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	docker, log := fakeDocker(t, true)
	c := checkerFor(docker, port, nil)
	// The fake starts nothing, so the wait ends in the error.
	err := c.run(context.Background(), []string{"postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable"})
	if err == nil || !strings.Contains(err.Error(), "did not answer within") {
		t.Errorf("error %v, want the wait to time out", err)
	}
	if got := calls(t, log); !strings.Contains(got, "compose -f ../../docker-compose.yml up -d db\n") {
		t.Errorf("compose up not run; calls:\n%s", got)
	}
}
