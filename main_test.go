package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/dbmigrate"
	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/migrations"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode) // no route dump in test output
	os.Exit(m.Run())
}

// logBuffer collects a server's log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func baseEnv(dbURL string) map[string]string {
	return map[string]string{
		"ENV_FILE":     "testdata/none.env", // never a developer's .env
		"DATABASE_URL": dbURL,
		// Instances of one test share a database, so they share a key too
		// (without one, each would sign with a random key of its own).
		"JWT_SECRET": "test-secret-shared-by-the-instances-of-a-test",
		"HTTP_ADDR":  "127.0.0.1:0",
		"LOG_LEVEL":  "info",
		// Start-up makes one hash at this cost (the dummy of login timing):
		// at the default 12, under the race detector on a busy machine, that
		// alone once took most of the 30 s a start may take.
		"BCRYPT_COST": "4",
	}
}

type server struct {
	url  string
	logs *logBuffer
	stop context.CancelFunc
	done chan error
}

// listening finds the address in the log's text (development) or JSON
// (production).
var listening = regexp.MustCompile(`msg=listening addr=(\S+)|"msg":"listening","addr":"([^"]+)"`)

// start runs the whole program as main does and waits until it listens.
func start(t *testing.T, env map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{logs: &logBuffer{}, stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- run(ctx, nil, envOf(env), s.logs) }()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(s.logs.String()); m != nil {
			s.url = "http://" + m[1] + m[2]
			return s
		}
		select {
		case err := <-s.done:
			t.Fatalf("server exited before listening: %v\nlogs:\n%s", err, s.logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("server did not listen within 30s; logs:\n%s", s.logs)
	return nil
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	client := &http.Client{Transport: apitest.Transport(t, nil), Timeout: 30 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeMigratesAndAnswersReadiness(t *testing.T) {
	s := start(t, baseEnv(testdb.Empty(t)))
	if code, body := get(t, s.url+"/readyz"); code != http.StatusOK || body != `{"status":"ok"}` {
		t.Fatalf("/readyz = %d %s, want 200 ok", code, body)
	}
	if !strings.Contains(s.logs.String(), `msg="migration applied"`) {
		t.Errorf("a fresh database was not migrated; logs:\n%s", s.logs)
	}
}

// TestSecondInstanceAppliesNothing: a second server started against the
// same database while the first runs applies nothing and serves.
func TestSecondInstanceAppliesNothing(t *testing.T) {
	dbURL := testdb.Empty(t)
	first := start(t, baseEnv(dbURL))
	second := start(t, baseEnv(dbURL))
	if !strings.Contains(second.logs.String(), "applied_now=0") || strings.Contains(second.logs.String(), `msg="migration applied"`) {
		t.Errorf("second instance applied migrations; logs:\n%s", second.logs)
	}
	for _, s := range []*server{first, second} {
		if code, _ := get(t, s.url+"/readyz"); code != http.StatusOK {
			t.Errorf("%s/readyz = %d, want 200", s.url, code)
		}
	}
}

// TestShutdownLetsInFlightRequestsFinish starts a slow request, signals
// shutdown while it runs, and checks that it is answered in full, that
// readiness turned 503 first, and that new connections are refused.
func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	draining := new(atomic.Bool)
	var drainingSeen atomic.Bool
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		drainingSeen.Store(draining.Load())
		io.WriteString(w, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveHTTP(ctx, ln, slow, draining, shutdown{grace: 5 * time.Second}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	cancel()
	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request = %q, %v; want it answered in full", r.body, r.err)
	}
	if !drainingSeen.Load() {
		t.Error("readiness was not draining while the in-flight request finished")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serveHTTP = %v, want nil after a clean shutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the listener still accepts connections after shutdown")
	}
}

// TestRunStopsCleanly: cancelling run's context (what SIGTERM does) returns
// nil.
func TestRunStopsCleanly(t *testing.T) {
	s := start(t, baseEnv(testdb.New(t)))
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("run = %v, want nil", err)
		}
		s.done <- err // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	if !strings.Contains(s.logs.String(), "msg=stopped") {
		t.Errorf("no stopped line:\n%s", s.logs)
	}
}

func TestServeCreatesAMissingDatabase(t *testing.T) {
	name := fmt.Sprintf("syncboard_created_%d", time.Now().UnixNano())
	dbURL := testdb.WithDatabase(testdb.ServerURL(), name)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, testdb.ServerURL())
		if err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	s := start(t, baseEnv(dbURL))
	if code, _ := get(t, s.url+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz = %d, want 200", code)
	}
	if !strings.Contains(s.logs.String(), `msg="created database"`) {
		t.Errorf("no 'created database' log line:\n%s", s.logs)
	}
}

func TestStartupRefusals(t *testing.T) {
	unreachable := "postgres://postgres:s3cret@127.0.0.1:1/syncboard?sslmode=disable"
	tests := []struct {
		name    string
		env     map[string]string
		want    []string
		notWant string
	}{
		{"production without a secret", map[string]string{"APP_ENV": "production", "JWT_SECRET": ""}, []string{"JWT_SECRET", "required"}, ""},
		{"production with the default secret", map[string]string{"APP_ENV": "production", "JWT_SECRET": "dev-only-insecure-jwt-secret-change-me"}, []string{"JWT_SECRET", "published"}, ""},
		{"production with a short secret", map[string]string{"APP_ENV": "production", "JWT_SECRET": strings.Repeat("k", 31)}, []string{"JWT_SECRET", "32 bytes"}, ""},
		{"bad duration", map[string]string{"ACCESS_TOKEN_TTL": "tomorrow"}, []string{"ACCESS_TOKEN_TTL", "tomorrow"}, ""},
		{"the retired JWT_TTL", map[string]string{"JWT_TTL": "24h"}, []string{"JWT_TTL", "retired"}, ""},
		{"bad number", map[string]string{"BCRYPT_COST": "twelve"}, []string{"BCRYPT_COST"}, ""},
		{"bad metrics address", map[string]string{"METRICS_ADDR": "9090"}, []string{"METRICS_ADDR", "host:port"}, ""},
		{"unreachable database", map[string]string{"DATABASE_URL": unreachable},
			[]string{"cannot reach PostgreSQL at postgres://postgres:xxxxx@127.0.0.1:1/syncboard", "docker compose up -d db"}, "s3cret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := baseEnv("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
			for k, v := range tc.env {
				env[k] = v
			}
			err := run(context.Background(), nil, envOf(env), io.Discard)
			if err == nil {
				t.Fatalf("run with %v started; want a refusal", tc.env)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if tc.notWant != "" && strings.Contains(msg, tc.notWant) {
				t.Errorf("error %q reveals %q", msg, tc.notWant)
			}
		})
	}
}

func TestMigrateCommands(t *testing.T) {
	dbURL := testdb.Empty(t)
	vars := baseEnv(dbURL)
	vars["ATLAS_DEV_URL"] = testdb.Empty(t)
	env := envOf(vars)
	step := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), args, env, &out); err != nil {
			t.Fatalf("syncboard %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	if out := step("migrate", "status"); !strings.Contains(out, "Migration Status: PENDING") || !strings.Contains(out, "Current Version: (none)") {
		t.Errorf("status before apply:\n%s", out)
	}
	files, err := migrations.Dir().Files()
	if err != nil {
		t.Fatal(err)
	}
	if out := step("migrate", "apply"); !strings.Contains(out, fmt.Sprintf("Applied %d migration file(s)", len(files))) {
		t.Errorf("apply of %d files:\n%s", len(files), out)
	}
	if out := step("migrate", "apply"); !strings.Contains(out, "No migration files to execute") {
		t.Errorf("second apply:\n%s", out)
	}
	if out := step("migrate", "status"); !strings.Contains(out, "Migration Status: OK") || !strings.Contains(out, "Pending Files:   0") {
		t.Errorf("status after apply:\n%s", out)
	}
	last := files[len(files)-1]
	if out := step("migrate", "down", "--dry-run"); !strings.Contains(out, "Dry run: would revert 1 migration file(s) ("+last.Version()+")") ||
		!strings.Contains(out, "-- Planned SQL to revert "+last.Version()) {
		t.Errorf("down --dry-run:\n%s", out)
	}
	if out := step("migrate", "down"); !strings.Contains(out, "Reverted 1 migration file(s): ["+last.Version()+"]") {
		t.Errorf("down:\n%s", out)
	}
	if out := step("migrate", "status"); !strings.Contains(out, "Migration Status: PENDING") || !strings.Contains(out, last.Name()) {
		t.Errorf("status after down:\n%s", out)
	}
	var history []struct {
		Version, State string
		AppliedAt      *time.Time `json:"applied_at"`
	}
	if err := json.Unmarshal([]byte(step("migrate", "history", "--json")), &history); err != nil {
		t.Fatalf("history --json: %v", err)
	}
	if len(history) != len(files) || history[len(files)-1].State != "pending" || history[0].State != "applied" || history[0].AppliedAt == nil {
		t.Errorf("history --json = %+v, want %d files, the last pending", history, len(files))
	}
	if out := step("migrate", "history"); !regexp.MustCompile(`(?m)^` + last.Version() + `\s+\S+\s+pending`).MatchString(out) {
		t.Errorf("history:\n%s", out)
	}
	if out := step("migrate", "apply"); !strings.Contains(out, "Applied 1 migration file(s)") {
		t.Errorf("apply after down:\n%s", out)
	}
	for _, args := range [][]string{{"migrate", "sideways"}, {"migrate", "down", "two"}, {"migrate", "history", "--yaml"}} {
		if err := run(context.Background(), args, env, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("syncboard %s: %v, want the usage", strings.Join(args, " "), err)
		}
	}
}

func TestParseDownArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		want    dbmigrate.DownOptions
		wantErr bool
	}{
		{nil, dbmigrate.DownOptions{}, false},
		{[]string{"2"}, dbmigrate.DownOptions{Steps: 2}, false},
		{[]string{"--to", "20261126103634", "--dry-run"}, dbmigrate.DownOptions{To: "20261126103634", DryRun: true}, false},
		{[]string{"--allow-data-loss", "--to=20261126103634"}, dbmigrate.DownOptions{To: "20261126103634", AllowDataLoss: true}, false},
		{[]string{"1", "--allow-data-loss", "--dry-run"}, dbmigrate.DownOptions{Steps: 1, AllowDataLoss: true, DryRun: true}, false},
		{[]string{"0"}, dbmigrate.DownOptions{}, true},
		{[]string{"-1"}, dbmigrate.DownOptions{}, true},
		{[]string{"2", "3"}, dbmigrate.DownOptions{}, true},
		{[]string{"2", "--to", "20261126103634"}, dbmigrate.DownOptions{}, true},
		{[]string{"--to"}, dbmigrate.DownOptions{}, true},
		{[]string{"--force"}, dbmigrate.DownOptions{}, true},
	}
	for _, tc := range tests {
		got, err := parseDownArgs(tc.args)
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("parseDownArgs(%q) = %+v, %v; want %+v, error %v", tc.args, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestMigrateOnStartFalse leaves the schema alone.
func TestMigrateOnStartFalse(t *testing.T) {
	dbURL := testdb.Empty(t)
	env := baseEnv(dbURL)
	env["MIGRATE_ON_START"] = "false"
	s := start(t, env)
	if strings.Contains(s.logs.String(), "migration") {
		t.Errorf("migrations ran with MIGRATE_ON_START=false:\n%s", s.logs)
	}
	u, _ := url.Parse(dbURL)
	conn, err := pgx.Connect(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("public has %d tables, want 0", n)
	}
}

// TestShutdownGraceIsBounded: a request that outlives SHUTDOWN_TIMEOUT does
// not keep the process alive; serveHTTP gives up after the grace period.
func TestShutdownGraceIsBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	stuck := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveHTTP(ctx, ln, stuck, new(atomic.Bool), shutdown{grace: 300 * time.Millisecond}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	go http.Get("http://" + ln.Addr().String() + "/stuck")
	<-started
	begin := time.Now()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("serveHTTP = nil; want the grace period's deadline error (a request was cut short)")
		}
		if took := time.Since(begin); took > 2*time.Second {
			t.Errorf("shutdown took %s with a 300ms grace period", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serveHTTP did not return after its grace period")
	}
}

// TestSmallPoolUnderLoad: with DB_MAX_OPEN_CONNS=5, 200 concurrent requests
// are each served or answered 503, never a 500 or PostgreSQL's "too many
// clients": the pool queues them.
func TestSmallPoolUnderLoad(t *testing.T) {
	env := baseEnv(testdb.New(t))
	env["DB_MAX_OPEN_CONNS"] = "5"
	env["BCRYPT_COST"] = "4"
	env["REQUEST_TIMEOUT"] = "10s"
	s := start(t, env)
	hc := &http.Client{Timeout: 30 * time.Second, Transport: apitest.Transport(t, &http.Transport{MaxIdleConnsPerHost: 200})}
	owner, _ := register(t, s.url, hc, fmt.Sprintf("pool-%d@example.com", time.Now().UnixNano()))
	var room idBody
	owner.do("POST", "/api/rooms", map[string]string{"name": "pool"}, &room)
	owner.busyOK = true // a 503 is an answer here; a 500, a hang or a refused connection is not

	var wg sync.WaitGroup
	var served, unavailable, other atomic.Int64
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/api/rooms/" + room.ID
			if i%2 == 1 {
				path = "/api/auth/me"
			}
			switch code := owner.do("GET", path, nil, nil); code {
			case http.StatusOK:
				served.Add(1)
			case http.StatusServiceUnavailable:
				unavailable.Add(1)
			default:
				other.Add(1)
				t.Errorf("GET %s = %d; want 200 or 503", path, code)
			}
		}()
	}
	wg.Wait()
	t.Logf("200 concurrent requests on a pool of 5: %d served, %d answered 503", served.Load(), unavailable.Load())
	if strings.Contains(s.logs.String(), "too many clients") {
		t.Error("PostgreSQL refused a connection: too many clients")
	}
	if served.Load() == 0 {
		t.Error("no request was served")
	}
	if t.Failed() { // what the server said about its 500s
		for _, l := range strings.Split(s.logs.String(), "\n") {
			if strings.Contains(l, "level=ERROR") {
				t.Log(l)
			}
		}
	}
}

// TestShutdownDrainsBeforeClosing: with a drain delay the server, once told
// to stop, answers unready but keeps accepting new connections and serving
// them for the delay (a load balancer's checks notice meanwhile), then
// runs drained and stops accepting.
func TestShutdownDrainsBeforeClosing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	draining := new(atomic.Bool)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		io.WriteString(w, "here")
	})
	var drained atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveHTTP(ctx, ln, ok, draining, shutdown{drain: time.Second, grace: time.Second, drained: func() { drained.Store(true) }},
			slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	base := "http://" + ln.Addr().String()
	cancel()
	time.Sleep(200 * time.Millisecond)
	// A new connection, during the drain: served, and unready.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := hc.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("a request during the drain: %v; want it served", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || drained.Load() {
		t.Errorf("during the drain: status %d, drained %v; want 503 and not yet drained", resp.StatusCode, drained.Load())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop after its drain")
	}
	if !drained.Load() {
		t.Error("drained did not run")
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the listener still accepts connections after the drain")
	}
}
