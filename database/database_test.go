package database_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/reqid"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func openLogged(t *testing.T, level slog.Level) (*syncBuffer, func() error) {
	t.Helper()
	var out syncBuffer
	db, err := database.Open(context.Background(), testdb.New(t), database.Options{
		MaxOpenConns: 2, MaxIdleConns: 1, ConnMaxLifetime: time.Minute,
		Logger: slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: level})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	ctx := reqid.With(context.Background(), "req-123")
	create := func() error {
		return db.WithContext(ctx).Create(&models.User{
			Email: "log@example.com", PasswordHash: "SECRET-HASH-VALUE", DisplayName: "log",
		}).Error
	}
	return &out, create
}

// TestLoggerNeverLogsBoundValues: even at debug level, SQL is logged with
// its placeholders, so a password hash never reaches a log.
func TestLoggerNeverLogsBoundValues(t *testing.T) {
	t.Parallel()
	out, create := openLogged(t, slog.LevelDebug)
	if err := create(); err != nil {
		t.Fatal(err)
	}
	logs := out.String()
	if !strings.Contains(logs, `INSERT INTO \"users\"`) || !strings.Contains(logs, `"request_id":"req-123"`) {
		t.Errorf("debug log lacks the statement or its request ID:\n%s", logs)
	}
	for _, secret := range []string{"SECRET-HASH-VALUE", "log@example.com"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log reveals bound value %q:\n%s", secret, logs)
		}
	}
}

func TestLoggerIsQuietAtInfo(t *testing.T) {
	t.Parallel()
	out, create := openLogged(t, slog.LevelInfo)
	if err := create(); err != nil {
		t.Fatal(err)
	}
	// A duplicate is an expected failure the Store maps to a code: not an
	// error-level line.
	if err := create(); err == nil {
		t.Fatal("duplicate insert succeeded")
	}
	// A statement the busy machine made slow is warned about, rightly (that
	// is TestLoggerWarnsOnSlowStatements' subject); nothing else may show.
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line != "" && !strings.Contains(line, `"msg":"slow sql"`) {
			t.Errorf("info-level log of ordinary statements has a line:\n%s", line)
		}
	}
}

func TestLoggerWarnsOnSlowStatements(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	l := database.NewLogger(slog.New(slog.NewJSONHandler(&out, nil)), 10*time.Millisecond)
	l.Trace(context.Background(), time.Now().Add(-50*time.Millisecond),
		func() (string, int64) { return "SELECT pg_sleep($1)", 1 }, nil)
	if logs := out.String(); !strings.Contains(logs, `"level":"WARN"`) || !strings.Contains(logs, "slow sql") {
		t.Errorf("slow statement log = %s, want a WARN 'slow sql' line", logs)
	}
}

func TestEnsureDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	name := fmt.Sprintf("syncboard_ensure_%d", time.Now().UnixNano())
	dbURL := testdb.WithDatabase(testdb.ServerURL(), name)
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, testdb.ServerURL())
		if err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize())
			conn.Close(ctx)
		}
	})
	for i, want := range []bool{true, false} {
		created, err := database.EnsureDatabase(ctx, dbURL)
		if err != nil || created != want {
			t.Fatalf("call %d: EnsureDatabase = %v, %v; want created=%v", i+1, created, err, want)
		}
	}
}

func TestUnreachableIsOneLineWithoutThePassword(t *testing.T) {
	t.Parallel()
	dbURL := "postgres://app:hunter2@127.0.0.1:1/syncboard?sslmode=disable"
	_, err := database.Open(context.Background(), dbURL, database.Options{MaxOpenConns: 1})
	var ue *database.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("Open = %v, want an *UnreachableError", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "hunter2") || strings.Contains(msg, "\n") ||
		!strings.Contains(msg, "postgres://app:xxxxx@127.0.0.1:1/syncboard") || !strings.Contains(msg, "docker compose up -d db") {
		t.Errorf("message = %q", msg)
	}
	if _, err := database.EnsureDatabase(context.Background(), dbURL); !errors.As(err, &ue) {
		t.Errorf("EnsureDatabase = %v, want an *UnreachableError", err)
	}
}

// TestSessionLimits: the pool's connections carry the statement and lock
// timeouts, and running out of either counts as "unavailable" (503), not a
// bug (500).
func TestSessionLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.New(t)
	db, err := database.Open(ctx, dbURL, database.Options{
		MaxOpenConns: 2, MaxIdleConns: 2, ConnMaxLifetime: time.Minute,
		StatementTimeout: 150 * time.Millisecond, LockTimeout: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	var st, lt string
	db.Raw("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')").Row().Scan(&st, &lt)
	if st != "150ms" || lt != "100ms" {
		t.Errorf("statement_timeout %q, lock_timeout %q; want 150ms and 100ms", st, lt)
	}
	start := time.Now()
	err = db.Exec("SELECT pg_sleep(5)").Error
	if models.ErrorCode(models.Classify(err)) != models.CodeUnavailable || time.Since(start) > 2*time.Second {
		t.Errorf("a 5 s statement: %v after %s; want an unavailable error within the timeout", err, time.Since(start))
	}
	// Hold a row lock in one transaction; another statement waiting on it
	// gives up after lock_timeout.
	tx := db.Begin()
	defer tx.Rollback()
	if err := tx.Exec("CREATE TABLE lockme (id int); INSERT INTO lockme VALUES (1)").Error; err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	holder := db.Begin()
	defer holder.Rollback()
	if err := holder.Exec("SELECT * FROM lockme FOR UPDATE").Error; err != nil {
		t.Fatal(err)
	}
	err = db.Exec("UPDATE lockme SET id = 2").Error
	if models.ErrorCode(models.Classify(err)) != models.CodeUnavailable {
		t.Errorf("waiting on a held lock: %v; want an unavailable (lock_timeout) error", err)
	}
}

// TestCancelledRequestCancelsItsQuery: a request's context ending (the
// client went away) stops its statement in PostgreSQL, not only in Go.
func TestCancelledRequestCancelsItsQuery(t *testing.T) {
	t.Parallel()
	db, err := database.Open(context.Background(), testdb.New(t), database.Options{MaxOpenConns: 2, MaxIdleConns: 2, ConnMaxLifetime: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- db.WithContext(ctx).Exec("SELECT pg_sleep(30) /* cancel-me */").Error }()
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("cancelled query: %v after %s; want an error at once", err, time.Since(start))
	}
	// PostgreSQL itself must have stopped it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var running int64
		db.Raw(`SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%cancel-me%' AND state = 'active' AND pid <> pg_backend_pid()`).Scan(&running)
		if running == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the cancelled statement is still running in PostgreSQL")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
