package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Poolers DB_POOLER accepts: PoolerNone is a direct connection to
// PostgreSQL (or a pooler in session mode); PoolerPgBouncer is PgBouncer,
// or any pooler, in transaction pooling mode.
const (
	PoolerNone      = "none"
	PoolerPgBouncer = "pgbouncer"
)

// poolerDSN is databaseURL for a pool that goes through a transaction
// pooler. Such a pooler hands each transaction (and each statement outside
// one) to whichever server connection is free, so:
//
//   - nothing that lives in a session may be relied on: not prepared
//     statements (pgx's default cache would find its statements missing, or
//     someone else's, on the next server connection), hence
//     default_query_exec_mode=exec, which sends each statement unnamed with
//     its parameters in one round trip;
//   - startup parameters other than the few PgBouncer tracks are refused
//     ("unsupported startup parameter"), hence no statement_timeout or
//     lock_timeout here (Open sets them per transaction instead), and
//     search_path only when it says what PostgreSQL would do anyway.
func poolerDSN(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	q := u.Query()
	for _, k := range []string{"statement_timeout", "lock_timeout"} {
		if q.Has(k) {
			return "", fmt.Errorf("DATABASE_URL: %s is a startup parameter a transaction pooler refuses; with DB_POOLER=pgbouncer set DB_STATEMENT_TIMEOUT and DB_LOCK_TIMEOUT instead", k)
		}
	}
	switch sp := q.Get("search_path"); sp {
	case "", "public":
		// public is where the migrations put everything, and where an
		// unqualified name resolves by default.
		q.Del("search_path")
	default:
		return "", fmt.Errorf("DATABASE_URL: search_path=%s is a startup parameter a transaction pooler refuses; set it on the role instead (ALTER ROLE ... SET search_path = %s)", sp, sp)
	}
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "exec")
	}
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", strconv.Itoa(int(ConnectTimeout.Seconds())))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// openPooled opens a database/sql pool on dsn whose connections cancel a
// statement in PostgreSQL when its context ends: a cancel request, which
// PgBouncer forwards to the server connection running it, rather than
// pgx's default of dropping the client connection (which through a pooler
// would leave the statement running on the server).
func openPooled(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &cancelThenWait{conn: c}
	}
	return stdlib.OpenDB(*cfg), nil
}

// cancelGrace is how long a cancelled statement has to end after its cancel
// request before its connection is dropped instead.
const cancelGrace = 2 * time.Second

// cancelThenWait is pgx's CancelRequestContextWatcherHandler, used for
// deadlines only (the statement timeout outside transactions), but for one
// thing: when the statement ends before the cancel request's exchange
// does, it lets that exchange finish instead of closing its connection
// half-way. PgBouncer 1.18 exits ("bad client state") when a cancel
// request's client goes away while it forwards the cancel, which pgx's
// handler does whenever PostgreSQL cancels quickly.
type cancelThenWait struct {
	conn *pgconn.PgConn
	done chan struct{}
}

func (h *cancelThenWait) HandleCancel(ctx context.Context) {
	h.done = make(chan struct{})
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// Cancelled, not timed out: the client went away or the server
		// is stopping. Drop the connection (PgBouncer then closes its
		// server connection) and send no cancel request: an instance
		// that exits while one is in flight makes PgBouncer 1.18 exit.
		_ = h.conn.Conn().SetDeadline(time.Now())
		close(h.done)
		return
	}
	deadline := time.Now().Add(cancelGrace)
	_ = h.conn.Conn().SetDeadline(deadline)
	go func() {
		defer close(h.done)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		_ = h.conn.CancelRequest(ctx) // it returns when the pooler closes the exchange
		// As pgx's handler does: the cancel may reach the server a moment
		// after it was acknowledged; the connection's next statement must
		// not be the one it cancels.
		time.Sleep(100 * time.Millisecond)
	}()
}

func (h *cancelThenWait) HandleUnwatchAfterCancel() {
	<-h.done
	_ = h.conn.Conn().SetDeadline(time.Time{})
}

// txLimits is the pool's gorm.ConnPool when a transaction pooler sits in
// front of PostgreSQL: it starts every transaction with SET LOCAL
// statement_timeout and lock_timeout, which end with the transaction and
// so never reach the next client of that server connection. (A session
// SET would, and a connection's startup parameters are refused.)
type txLimits struct {
	*sql.DB
	statement, lock string // PostgreSQL interval text, "" for no limit
}

// BeginTx begins a transaction with the limits in force. The SET LOCAL is
// one statement, so the limits cost one round trip per transaction.
func (p *txLimits) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	tx, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if p.statement == "" && p.lock == "" {
		return tx, nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)",
		orZero(p.statement), orZero(p.lock)); err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// GetDBConn lets gorm's DB() reach the pool.
func (p *txLimits) GetDBConn() (*sql.DB, error) { return p.DB, nil }

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func millis(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

// statementDeadlines bounds each statement gorm runs outside a transaction
// by timeout, through its context: when it runs out, pgx sends a cancel
// request, as statement_timeout would have ended the statement. Inside a
// transaction the SET LOCAL of txLimits does it. (A lock wait outside a
// transaction is bounded by the same deadline: it is part of its
// statement.)
//
// It covers gorm's create, query, update, delete and raw (Exec) chains,
// which finish with their rows before returning; Row and Rows hand open
// rows to the caller, so they are bounded by the request's own deadline
// only.
func statementDeadlines(db *gorm.DB, timeout time.Duration) error {
	before := func(tx *gorm.DB) {
		if _, inTx := tx.Statement.ConnPool.(*sql.Tx); inTx {
			return
		}
		ctx, cancel := context.WithTimeout(tx.Statement.Context, timeout)
		tx.Statement.Context = ctx
		tx.InstanceSet("database:cancel", cancel)
	}
	after := func(tx *gorm.DB) {
		if v, ok := tx.InstanceGet("database:cancel"); ok {
			v.(context.CancelFunc)()
		}
	}
	cb := db.Callback()
	// The end runs last ("*"): preloads, which follow the main query in
	// its chain, still run under the deadline.
	return errors.Join(
		cb.Create().Before("gorm:create").Register("database:deadline", before),
		cb.Create().After("*").Register("database:deadline_end", after),
		cb.Query().Before("gorm:query").Register("database:deadline", before),
		cb.Query().After("*").Register("database:deadline_end", after),
		cb.Update().Before("gorm:update").Register("database:deadline", before),
		cb.Update().After("*").Register("database:deadline_end", after),
		cb.Delete().Before("gorm:delete").Register("database:deadline", before),
		cb.Delete().After("*").Register("database:deadline_end", after),
		cb.Raw().Before("gorm:raw").Register("database:deadline", before),
		cb.Raw().After("*").Register("database:deadline_end", after),
	)
}
