// Package testdb gives each test its own PostgreSQL database.
//
// The migrations are applied once, with the server's own migration code, to
// a template database whose name carries a hash of migrations/; each test
// then clones the template (CREATE DATABASE ... TEMPLATE), which takes
// milliseconds. A passing test's database is dropped; a failing test's is
// kept and its URL logged, so it can be inspected.
//
// The server is TEST_DATABASE_URL (default: the local PostgreSQL, user
// postgres). Tests fail, never skip, when it cannot be reached.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/dbmigrate"
	"github.com/syncboard/syncboard/migrations"
)

// DefaultURL is the server used when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL returns the URL of the test server's maintenance database.
func ServerURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// WithDatabase returns serverURL pointing at database name, bound to the
// public schema as the application's URLs are.
func WithDatabase(serverURL, name string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		panic(fmt.Sprintf("testdb: bad server URL: %v", err))
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("search_path", "public")
	u.RawQuery = q.Encode()
	return u.String()
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// New returns the URL of a fresh database holding the migrated schema and no
// rows.
func New(t testing.TB) string {
	t.Helper()
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(context.Background()) })
	if templateErr != nil {
		t.Fatalf("testdb: %v", templateErr)
	}
	return create(t, templateName)
}

// Empty returns the URL of a fresh, empty database (no migrations applied),
// for migration tests and Atlas's dev database.
func Empty(t testing.TB) string {
	t.Helper()
	return create(t, "template0")
}

// Open returns a GORM pool on a fresh migrated database, closed when the test
// ends.
func Open(t testing.TB) (*gorm.DB, string) {
	t.Helper()
	dbURL := New(t)
	db, err := database.Open(context.Background(), dbURL, database.Options{
		MaxOpenConns: 10, MaxIdleConns: 5, ConnMaxLifetime: time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("testdb: open: %v", err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	return db, dbURL
}

func admin(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return nil, database.Unreachable(ServerURL(), err)
	}
	return conn, nil
}

func create(t testing.TB, template string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := admin(ctx)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer conn.Close(ctx)
	name := "syncboard_test_" + randomHex(8)
	stmt := fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize())
	// Two clones of one template may collide briefly ("source database is
	// being accessed by other users"); retry a few times.
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if err == nil || attempt == 20 || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			break
		}
		time.Sleep(time.Duration(10+attempt*10) * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("testdb: %s: %v", stmt, err)
	}
	dbURL := WithDatabase(ServerURL(), name)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("testdb: kept the database of this failed test: %s", dbURL)
			return
		}
		drop(name)
	})
	return dbURL
}

func drop(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := admin(ctx)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// ensureTemplate creates and migrates the template for the current
// migrations, once across every test process (go test runs packages in
// parallel), under an advisory lock. Templates of older migrations are
// dropped.
func ensureTemplate(ctx context.Context) (string, error) {
	hash, err := dirHash(migrations.Dir())
	if err != nil {
		return "", err
	}
	name := "syncboard_tpl_" + hash
	conn, err := admin(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	const lockKey = 0x5359_4e43 // "SYNC"
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer func() { _, _ = conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockKey) }()

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'syncboard\\_tpl\\_%' AND datname <> $1", name)
	if err != nil {
		return "", err
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	for _, old := range stale {
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{old}.Sanitize()+" WITH (FORCE)")
	}
	building := name + "_building"
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)")
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()+" TEMPLATE template0"); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := dbmigrate.Apply(ctx, WithDatabase(ServerURL(), building), migrations.Dir(), quiet); err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	// Renaming only once migrated means a half-built template is never used.
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

// dirHash hashes every file name and content of the migration directory.
func dirHash(fsys fs.FS) (string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
