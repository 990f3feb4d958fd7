package database_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/pgbouncer"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// TestThroughPgBouncer: through a real PgBouncer in transaction pooling
// with two server connections shared by four clients, DB_POOLER=pgbouncer
// opens (a direct-mode pool is refused: its timeouts are startup
// parameters), every transaction runs under the statement and lock
// timeouts and none leaks them into the session of the server connection,
// a statement outside a transaction is cut off by its deadline and
// cancelled in PostgreSQL, and the same parameterised statements run
// hundreds of times across the shared server connections (no prepared
// statement is left behind to collide with).
func TestThroughPgBouncer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bouncer := pgbouncer.Start(t, testdb.ServerURL(), pgbouncer.Options{PoolSize: 2})
	direct := testdb.New(t)
	pooled := bouncer.URL(direct)
	opts := database.Options{
		MaxOpenConns: 4, MaxIdleConns: 4, ConnMaxLifetime: time.Minute,
		StatementTimeout: 300 * time.Millisecond, LockTimeout: 200 * time.Millisecond,
	}

	// The control: how a direct connection is opened fails here.
	if _, err := database.Open(ctx, pooled, opts); err == nil || !strings.Contains(err.Error(), "unsupported startup parameter") {
		t.Fatalf("a direct-mode pool through PgBouncer: %v; want PgBouncer's unsupported startup parameter", err)
	}
	opts.Pooler = database.PoolerPgBouncer
	db, err := database.Open(ctx, pooled, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)

	// In a transaction the limits hold; outside, the server connections'
	// sessions carry none (checked often enough to meet both).
	err = db.Transaction(func(tx *gorm.DB) error {
		var st, lt string
		if err := tx.Raw("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')").Row().Scan(&st, &lt); err != nil {
			return err
		}
		if st != "300ms" || lt != "200ms" {
			t.Errorf("in a transaction: statement_timeout %q, lock_timeout %q; want 300ms and 200ms", st, lt)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 8 {
		var st string
		if err := db.Raw("SELECT current_setting('statement_timeout')").Scan(&st).Error; err != nil {
			t.Fatal(err)
		}
		if st != "0" {
			t.Fatalf("outside a transaction the session's statement_timeout is %q: a limit leaked into the server connection", st)
		}
	}

	// A statement outside a transaction: its deadline ends it, and the
	// cancel request reached PostgreSQL through PgBouncer.
	start := time.Now()
	err = db.Exec("SELECT pg_sleep(5) /* bounce-outside */").Error
	if models.ErrorCode(models.Classify(err)) != models.CodeUnavailable || time.Since(start) > 3*time.Second {
		t.Errorf("a 5 s statement outside a transaction: %v after %s; want unavailable within the timeout", err, time.Since(start))
	}
	requireNotRunning(t, direct, "bounce-outside")

	// Inside one: statement_timeout ends it.
	start = time.Now()
	err = db.Transaction(func(tx *gorm.DB) error { return tx.Exec("SELECT pg_sleep(5)").Error })
	if models.ErrorCode(models.Classify(err)) != models.CodeUnavailable || time.Since(start) > 3*time.Second {
		t.Errorf("a 5 s statement in a transaction: %v after %s; want unavailable within the timeout", err, time.Since(start))
	}

	// lock_timeout: a lock held by one transaction, waited on in another.
	if err := db.Exec("CREATE TABLE lockme (id int); INSERT INTO lockme VALUES (1)").Error; err != nil {
		t.Fatal(err)
	}
	holder := db.Begin()
	defer holder.Rollback()
	if err := holder.Exec("SELECT * FROM lockme FOR UPDATE").Error; err != nil {
		t.Fatal(err)
	}
	err = db.Transaction(func(tx *gorm.DB) error { return tx.Exec("UPDATE lockme SET id = 2").Error })
	if code := sqlState(err); code != "55P03" {
		t.Errorf("waiting on a held lock in a transaction: %v; want lock_timeout (55P03)", err)
	}
	holder.Rollback()

	// The same parameterised statements, many times, from four clients
	// over two server connections.
	if errs := hammer(db); len(errs) > 0 {
		t.Errorf("%d of 800 statements failed; the first: %v", len(errs), errs[0])
	}
	if n := bouncer.Transactions(t, direct); n < 800 {
		t.Errorf("PgBouncer passed %d transactions to the database; want the test's 800 and more", n)
	}

	// The control: pgx's default, prepared statements cached per
	// connection, breaks there.
	cached, err := database.Open(ctx, pooled+"&default_query_exec_mode=cache_statement", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(cached)
	if errs := hammer(cached); len(errs) == 0 {
		t.Errorf("cached prepared statements through PgBouncer: no error; want them to collide (if this PgBouncer tracks prepared statements, the test no longer shows why exec mode is needed)")
	} else {
		t.Logf("cached prepared statements through PgBouncer: %d of 800 failed, the first: %v", len(errs), errs[0])
	}
}

// hammer runs 100 parameterised queries and 100 transactions on each of
// four goroutines, and returns the errors.
func hammer(db *gorm.DB) []error {
	var (
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				var got int
				q := "SELECT $1::int + 1"
				if err := db.Raw(q, i).Scan(&got).Error; err != nil || got != i+1 {
					fail(fmt.Errorf("client %d, query %d: %d, %w", w, i, got, err))
				}
				if err := db.Transaction(func(tx *gorm.DB) error {
					// Parameterised, in a transaction, and contending with
					// nothing (a lock queue would time out on a busy machine).
					return tx.Exec("SELECT $1::int", i).Error
				}); err != nil {
					fail(fmt.Errorf("client %d, transaction %d: %w", w, i, err))
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

func requireNotRunning(t *testing.T, directURL, marker string) {
	t.Helper()
	db, err := database.Open(context.Background(), directURL, database.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	deadline := time.Now().Add(3 * time.Second)
	for {
		var running int64
		db.Raw(fmt.Sprintf(`SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%%%s%%' AND state = 'active' AND pid <> pg_backend_pid()`, marker)).Scan(&running)
		if running == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the statement %q still runs in PostgreSQL: its cancel never reached the server", marker)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// BenchmarkQueryExecModes measures what not preparing statements costs, on
// a direct connection: a by-ID lookup with a join, as the API makes, under
// pgx's default (cache_statement), exec (DB_POOLER=pgbouncer) and
// simple_protocol.
//
//	go test -run XXX -bench QueryExecModes ./database
func BenchmarkQueryExecModes(b *testing.B) {
	direct := testdb.New(b)
	for _, mode := range []string{"cache_statement", "exec", "simple_protocol"} {
		b.Run(mode, func(b *testing.B) {
			db, err := database.Open(context.Background(), direct+"&default_query_exec_mode="+mode, database.Options{MaxOpenConns: 1, MaxIdleConns: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer database.Close(db)
			q := `SELECT r.id, r.name, r.version, m.role FROM rooms r JOIN room_members m ON m.room_id = r.id
			      WHERE r.id = $1 AND m.user_id = $2`
			b.ResetTimer()
			for range b.N {
				var n int64
				if err := db.Raw("SELECT count(*) FROM ("+q+") x", "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002").Scan(&n).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTransactionLimits measures the round trip that setting the
// timeouts per transaction adds (DB_POOLER=pgbouncer, here on a direct
// connection so only that differs) to a one-statement transaction.
//
//	go test -run XXX -bench TransactionLimits ./database
func BenchmarkTransactionLimits(b *testing.B) {
	direct := testdb.New(b)
	for _, pooler := range []string{database.PoolerNone, database.PoolerPgBouncer} {
		b.Run(pooler, func(b *testing.B) {
			db, err := database.Open(context.Background(), direct, database.Options{
				MaxOpenConns: 1, MaxIdleConns: 1, Pooler: pooler,
				StatementTimeout: 5 * time.Second, LockTimeout: 3 * time.Second,
			})
			if err != nil {
				b.Fatal(err)
			}
			defer database.Close(db)
			b.ResetTimer()
			for range b.N {
				if err := db.Transaction(func(tx *gorm.DB) error {
					return tx.Exec("UPDATE rooms SET version = version + 1 WHERE id = $1", "00000000-0000-0000-0000-000000000001").Error
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
