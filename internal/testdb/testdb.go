// Package testdb gives each test its own PostgreSQL database, through
// pgtestdb.
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
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb connects with
	"github.com/peterldowns/pgtestdb"
	"github.com/peterldowns/pgtestdb/migrators/common"
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

// New returns the URL of a fresh database holding the migrated schema and no
// rows.
func New(t testing.TB) string {
	t.Helper()
	return create(t, migrator{})
}

// Empty returns the URL of a fresh, empty database (no migrations applied),
// for migration tests and Atlas's dev database.
func Empty(t testing.TB) string {
	t.Helper()
	return create(t, pgtestdb.NoopMigrator{})
}

// Open returns a GORM pool on a fresh migrated database, closed when the test
// ends.
func Open(t testing.TB) (*gorm.DB, string) {
	t.Helper()
	dbURL := New(t)
	db, err := database.Open(context.Background(), dbURL, database.Options{
		MaxOpenConns: 10, MaxIdleConns: 10, ConnMaxLifetime: time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("testdb: open: %v", err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	return db, dbURL
}

// migrator builds pgtestdb's template from migrations/ with dbmigrate, as the
// server does on start.
type migrator struct{}

var _ pgtestdb.Migrator = migrator{}

// Hash covers every file of the migration directory, atlas.sum included, so
// a new, edited or renamed migration makes a new template.
func (migrator) Hash() (string, error) {
	return common.HashDirs(migrations.Dir().FS, "*", ".")
}

// Migrate applies the migrations through a URL of our own rather than the
// *sql.DB pgtestdb opened, because dbmigrate, like the server, takes a URL.
func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := dbmigrate.Apply(ctx, WithDatabase(ServerURL(), conf.Database), migrations.Dir(), quiet); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	return nil
}

var (
	serverOnce sync.Once
	serverConf pgtestdb.Config
	serverErr  error
)

func create(t testing.TB, m pgtestdb.Migrator) string {
	t.Helper()
	serverOnce.Do(func() { serverConf, serverErr = config(context.Background(), ServerURL()) })
	if serverErr != nil {
		t.Fatalf("testdb: %v", serverErr)
	}
	inst := pgtestdb.Custom(t, serverConf, m)
	dbURL := WithDatabase(ServerURL(), inst.Database)
	// Runs before pgtestdb's own clean-up, which keeps a failed test's
	// database but only logs the URL when the database is made.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("testdb: kept the database of this failed test: %s", dbURL)
		}
	})
	return dbURL
}

// config turns serverURL into pgtestdb's terms, after checking once that the
// server answers: pgtestdb would otherwise fail every test with a bare
// driver error instead of the one-line message that says how to start one.
//
// Test databases are made and used by the user of serverURL, as they were
// before pgtestdb: that user already exists, so pgtestdb creates no role of
// its own, and tests keep its privileges (a superuser by default).
func config(ctx context.Context, serverURL string) (pgtestdb.Config, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return pgtestdb.Config{}, database.Unreachable(serverURL, err)
	}
	_ = conn.Close(ctx)
	// The parsed config has the user and password after the environment
	// (PGUSER, PGPASSWORD) and the password file are taken into account.
	pc, err := pgconn.ParseConfig(serverURL)
	if err != nil {
		return pgtestdb.Config{}, fmt.Errorf("TEST_DATABASE_URL: %w", err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return pgtestdb.Config{}, fmt.Errorf("TEST_DATABASE_URL: %w", err)
	}
	host, port := u.Hostname(), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" {
		port = "5432"
	}
	// pgtestdb writes the password into its URLs as it is.
	password := strings.TrimPrefix(url.UserPassword("", pc.Password).String(), ":")
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       host,
		Port:       port,
		User:       pc.User,
		Password:   password,
		Database:   strings.TrimPrefix(u.Path, "/"),
		Options:    u.RawQuery,
		TestRole:   &pgtestdb.Role{Username: pc.User, Password: password},
		// Like DROP DATABASE ... WITH (FORCE): a test that leaves a
		// connection open (a server it started, a listener) still has its
		// database dropped.
		ForceTerminateConnections: true,
	}, nil
}
