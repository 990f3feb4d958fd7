// Package database opens SyncBoard's PostgreSQL connection pool through GORM
// and pgx, and creates the application database when it is missing.
package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/plugin/opentelemetry/tracing"
)

// SlowQuery is the duration past which a statement is logged at warn.
const SlowQuery = 200 * time.Millisecond

// Options are the pool settings of Open.
type Options struct {
	MaxOpenConns int
	// MaxIdleConns below MaxOpenConns makes the pool churn under load (see
	// config.Config.DBMaxIdleConns).
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// ConnMaxIdleTime closes a connection nobody used for that long, so a
	// quiet server gives its connections back without churn under load.
	ConnMaxIdleTime time.Duration
	// StatementTimeout and LockTimeout, when set, bound every statement of
	// the pool (PostgreSQL's statement_timeout and lock_timeout).
	StatementTimeout time.Duration
	LockTimeout      time.Duration
	// Pooler is PoolerPgBouncer when databaseURL goes through a pooler in
	// transaction mode: the timeouts are then set per transaction, and
	// statements are not prepared (see poolerDSN). Empty or PoolerNone: a
	// direct connection, with the timeouts as startup parameters and pgx's
	// statement cache.
	Pooler string
	Logger *slog.Logger
	// TracerProvider, when tracing is on, makes a span of every statement,
	// a child of the request's span (GORM's OpenTelemetry plugin), with the
	// SQL but never its bound values; nil: no plugin.
	TracerProvider trace.TracerProvider
}

// ConnectTimeout bounds opening one connection, so an unreachable database
// fails a request in seconds instead of the operating system's minutes.
const ConnectTimeout = 3 * time.Second

// withSessionLimits adds the connect, statement and lock timeouts to a
// database URL as connection parameters, unless the URL sets them itself.
func withSessionLimits(databaseURL string, opts Options) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	q := u.Query()
	set := func(k, v string) {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	set("connect_timeout", strconv.Itoa(int(ConnectTimeout.Seconds())))
	if opts.StatementTimeout > 0 {
		set("statement_timeout", strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10))
	}
	if opts.LockTimeout > 0 {
		set("lock_timeout", strconv.FormatInt(opts.LockTimeout.Milliseconds(), 10))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// dialect is gorm's PostgreSQL dialector for databaseURL: on a direct
// connection the timeouts ride on the connection's startup parameters (no
// round trip at all); through a transaction pooler, see poolerDSN and
// txLimits.
func dialect(databaseURL string, opts Options) (gorm.Dialector, error) {
	switch opts.Pooler {
	case "", PoolerNone:
		dsn, err := withSessionLimits(databaseURL, opts)
		if err != nil {
			return nil, err
		}
		return postgres.New(postgres.Config{DSN: dsn}), nil
	case PoolerPgBouncer:
		dsn, err := poolerDSN(databaseURL)
		if err != nil {
			return nil, err
		}
		sqlDB, err := openPooled(dsn)
		if err != nil {
			return nil, err
		}
		return postgres.New(postgres.Config{Conn: &txLimits{
			DB: sqlDB, statement: millis(opts.StatementTimeout), lock: millis(opts.LockTimeout),
		}}), nil
	default:
		return nil, fmt.Errorf("DB_POOLER: unknown pooler %q (want %q or %q)", opts.Pooler, PoolerNone, PoolerPgBouncer)
	}
}

// Open connects to PostgreSQL at databaseURL and checks that it answers.
//
// TranslateError turns driver errors such as unique violations into gorm's
// sentinel errors; SkipDefaultTransaction is on because every Store method
// that writes opens its own transaction, so gorm's implicit per-statement
// transaction would only add round trips. Times are UTC, truncated to the
// microsecond PostgreSQL stores, so what a handler returns is what a later
// read returns.
func Open(ctx context.Context, databaseURL string, opts Options) (*gorm.DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	dialector, err := dialect(databaseURL, opts)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 NewLogger(log, SlowQuery),
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	})
	if err != nil {
		return nil, Unreachable(databaseURL, err)
	}
	if opts.TracerProvider != nil {
		err := db.Use(tracing.NewPlugin(tracing.WithTracerProvider(opts.TracerProvider),
			tracing.WithoutQueryVariables(), tracing.WithoutMetrics(), tracing.WithDBSystem("postgresql")))
		if err != nil {
			return nil, fmt.Errorf("SQL tracing: %w", err)
		}
	}
	if opts.Pooler == PoolerPgBouncer && opts.StatementTimeout > 0 {
		if err := statementDeadlines(db, opts.StatementTimeout); err != nil {
			return nil, fmt.Errorf("statement deadlines: %w", err)
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	sqlDB.SetMaxIdleConns(opts.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(opts.ConnMaxLifetime)
	sqlDB.SetConnMaxIdleTime(opts.ConnMaxIdleTime)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, Unreachable(databaseURL, err)
	}
	return db, nil
}

// Close closes the pool behind db.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// UnreachableError says, in one line, that PostgreSQL could not be reached,
// at which URL (password hidden), and how to start one.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach PostgreSQL at %s (%v); start one with `docker compose up -d db` or a local PostgreSQL server",
		e.URL, oneLine(e.Err))
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Unreachable wraps err as an UnreachableError for databaseURL.
func Unreachable(databaseURL string, err error) error {
	return &UnreachableError{URL: Redact(databaseURL), Err: err}
}

// Redact hides the password in a database URL, for messages and logs.
func Redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "(unparseable DATABASE_URL)"
	}
	return u.Redacted()
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// EnsureDatabase creates the database named in databaseURL if PostgreSQL is
// reachable but that database does not exist yet. It connects to the
// server's maintenance database "postgres" to do so.
func EnsureDatabase(ctx context.Context, databaseURL string) (created bool, err error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return false, fmt.Errorf("DATABASE_URL: %w", err)
	}
	name := cfg.Database
	if name == "" {
		return false, errors.New("DATABASE_URL names no database")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return false, conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return false, Unreachable(databaseURL, err)
	}
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err = pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return false, Unreachable(databaseURL, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: another process won the race
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create database %q: %w", name, err)
	}
	return true, nil
}
